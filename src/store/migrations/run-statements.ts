import { type Kysely, sql } from 'kysely';

/**
 * Runs a DDL script one statement at a time: PGlite's extended protocol takes a single statement per query.
 * Statements end with `;` at the end of a line; none of our DDL has semicolons elsewhere.
 */
export async function runStatements(db: Kysely<unknown>, script: string): Promise<void> {
  const statements = script
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
  for (const statement of statements) await sql.raw(statement).execute(db);
}
