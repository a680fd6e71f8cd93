import { sql } from 'kysely';
import type { Catalog } from '../catalog.ts';
import type { Db } from './db.ts';

/** Mirrors the catalog's components into the store (names, groups, order); statuses stay as the store has them. */
export async function syncComponents(db: Db, catalog: Catalog, now: Date): Promise<void> {
  if (catalog.components.length === 0) return;
  await db
    .insertInto('components')
    .values(
      catalog.components.map((c, position) => ({
        id: c.id,
        name: c.name,
        group_name: c.group ?? null,
        description: c.description ?? null,
        position,
        status: 'operational',
        updated_at: now,
      })),
    )
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        name: sql`excluded.name`,
        group_name: sql`excluded.group_name`,
        description: sql`excluded.description`,
        position: sql`excluded.position`,
      }),
    )
    .execute();
}
