import { randomBytes } from 'node:crypto';
import type { ComponentStatus } from '../core/component-status.ts';
import type { PublicStatus } from '../core/incident.ts';
import type { Severity } from '../core/severity.ts';
import type { EventDataByKind } from '../core/timeline.ts';
import { UPTIME_DAYS } from '../core/uptime.ts';
import type { SnapshotSource } from '../publish/snapshot-service.ts';
import type {
  PublicIncident,
  PublicIncidentUpdate,
  SnapshotPageInput,
  StatusSnapshotInput,
} from '../publish/status-snapshot.ts';
import { intervalDrift, loadIntervals, reconcileComponentIntervals } from './component-intervals.ts';
import type { Db } from './db.ts';
import { recentMaintenances } from './maintenances.ts';
import { publicId } from './public-id.ts';
import { putSettingIfAbsent } from './settings.ts';

/**
 * The status snapshot's input, read from the store: published incidents with their public updates only,
 * components, maintenances and status intervals. This is an allow-list too: internal events, owners, labels and
 * rule names are never selected.
 */

const DAY_MS = 86_400_000;
/** The uptime window plus a margin for time-zone day edges. */
const STATUS_HISTORY_MS = (UPTIME_DAYS + 2) * DAY_MS;
/** incidents.json lists the 50 most recent, even older than the uptime window. */
const RECENT_INCIDENTS = 50;
/** A bound on one rebuild's work: a page with more published incidents in 90 days is unreadable anyway. */
const MAX_INCIDENTS = 2_000;

async function loadStatusInput(
  db: Db,
  page: SnapshotPageInput,
  now: Date,
  publicIdKey: Uint8Array,
): Promise<StatusSnapshotInput> {
  const since = new Date(now.getTime() - STATUS_HISTORY_MS);
  const [components, incidents, maintenances, intervals] = await Promise.all([
    db
      .selectFrom('components')
      .select(['id', 'name', 'group_name', 'description', 'position'])
      .orderBy('position')
      .execute(),
    loadPublishedIncidents(db, since, publicIdKey),
    recentMaintenances(db, since),
    loadIntervals(db, since),
  ]);
  return {
    page,
    components: components.map((c) => ({
      id: c.id,
      name: c.name,
      group: c.group_name,
      description: c.description,
      position: c.position,
    })),
    incidents,
    maintenances,
    intervals,
  };
}

async function loadPublishedIncidents(
  db: Db,
  since: Date,
  publicIdKey: Uint8Array,
): Promise<PublicIncident[]> {
  const rows = await db
    .selectFrom('incidents')
    .select([
      'id',
      'title',
      'severity',
      'status',
      'components',
      'component_status',
      'customers',
      'opened_at',
      'resolved_at',
    ])
    .where('published', '=', true)
    .where((eb) =>
      eb.or([
        eb('resolved_at', 'is', null),
        eb('resolved_at', '>=', since),
        eb(
          'id',
          'in',
          eb
            .selectFrom('incidents as recent')
            .select('recent.id')
            .where('recent.published', '=', true)
            .orderBy('recent.opened_at', 'desc')
            .limit(RECENT_INCIDENTS),
        ),
      ]),
    )
    .orderBy('opened_at', 'desc')
    .limit(MAX_INCIDENTS)
    .execute();
  if (rows.length === 0) return [];
  const events = await db
    .selectFrom('incident_events')
    .select(['id', 'incident_id', 'at', 'data'])
    .where('visibility', '=', 'public')
    .where('kind', '=', 'update.posted')
    .where(
      'incident_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('id')
    .execute();
  const updates = new Map<string, PublicIncidentUpdate[]>();
  for (const e of events) {
    // Selected by kind above: the data of a public update.
    const { status, message } = e.data as unknown as EventDataByKind['update.posted'];
    const list = updates.get(e.incident_id) ?? [];
    list.push({
      id: publicId(publicIdKey, 'update', e.id),
      status,
      message,
      at: new Date(e.at),
    });
    updates.set(e.incident_id, list);
  }
  return rows.map((r) => {
    const own = updates.get(r.id) ?? [];
    const openedAt = new Date(r.opened_at);
    const resolvedAt = r.resolved_at === null ? null : new Date(r.resolved_at);
    // Public time only: internal activity (alerts joining, owners, notes) must not move the page.
    const updatedAt = new Date(
      Math.max(openedAt.getTime(), resolvedAt?.getTime() ?? 0, ...own.map((u) => u.at.getTime())),
    );
    return {
      id: r.id,
      title: r.title,
      severity: r.severity as Severity,
      status: r.status as PublicStatus,
      components: r.components,
      componentStatus: r.component_status as ComponentStatus | null,
      openedAt,
      resolvedAt,
      updatedAt,
      updates: own.reverse(),
      customers: r.customers,
    };
  });
}

/** The secret behind public update ids: generated once, kept in the settings table (shared by replicas). */
async function resolvePublicIdKey(db: Db): Promise<Buffer> {
  return Buffer.from(
    await putSettingIfAbsent(db, 'public_id_secret', randomBytes(32).toString('hex')),
    'hex',
  );
}

/** The snapshot service's view of the store: read the input, write interval changes when statuses drift. */
export function storeSnapshotSource(db: Db, page: SnapshotPageInput): SnapshotSource {
  let key: Promise<Buffer> | null = null;
  const publicIdKey = () => {
    key ??= resolvePublicIdKey(db).catch((err) => {
      key = null;
      throw err;
    });
    return key;
  };
  return {
    load: async (now) => loadStatusInput(db, page, now, await publicIdKey()),
    reconcile: async (input, desired, now) => {
      if (intervalDrift(desired, input.intervals).length === 0) return false;
      return (await reconcileComponentIntervals(db, desired, now)).length > 0;
    },
  };
}
