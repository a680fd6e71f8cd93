import { sql } from 'kysely';
import type { NormalizedAlert } from '../core/alert.ts';
import { type AlertChange, decideAlertChange, type StoredAlertState } from '../core/dedup.ts';
import type { UpsertedAlert } from '../core/route-plan.ts';
import type { IdGen } from '../pipeline/ports.ts';
import { inChunks, readInChunks } from './chunks.ts';
import type { Trx } from './db.ts';

export type { UpsertedAlert } from '../core/route-plan.ts';

interface Folded {
  alert: NormalizedAlert;
  state: StoredAlertState;
  change: AlertChange;
}

/** Several deliveries of one fingerprint in one body follow the same ordering rules as across bodies. */
function fold(stored: StoredAlertState | null, deliveries: NormalizedAlert[]): Folded {
  let state = stored;
  let winner = deliveries[0]!;
  let moved = false;
  for (const d of deliveries) {
    const decision = decideAlertChange(state, d);
    if (decision.change !== 'stale') {
      winner = d;
      moved = true;
    }
    state = decision.next;
  }
  const final = state!;
  let change: AlertChange;
  if (!stored) change = 'new';
  else if (stored.status !== final.status) change = final.status === 'firing' ? 'refiring' : 'resolved';
  else change = moved ? 'repeat' : 'stale';
  return { alert: winner, state: final, change };
}

const json = (v: unknown) => JSON.stringify(v);

interface KnownRow {
  id: string;
  fingerprint: string;
  status: 'firing' | 'resolved';
  starts_at: Date | string;
  ends_at: Date | string | null;
  incident_id: string | null;
  waiting: boolean;
  rule: string | null;
  group_key: string | null;
}

/** A stored alert and this body's deliveries of it: its outcome, its new state (null: only seen again), its event. */
function foldKnown(row: KnownRow, deliveries: NormalizedAlert[]) {
  const stored: StoredAlertState = {
    status: row.status,
    startsAt: new Date(row.starts_at),
    endsAt: row.ends_at ? new Date(row.ends_at) : null,
  };
  const folded = fold(stored, deliveries);
  const result: UpsertedAlert = {
    id: row.id,
    change: folded.change,
    alert: folded.alert,
    incidentId: row.incident_id,
    waitingIn: row.waiting ? `${row.rule}\n${row.group_key}` : null,
  };
  const statusChanged = folded.state.status !== stored.status;
  const stateMoved =
    statusChanged ||
    folded.state.startsAt.getTime() !== stored.startsAt.getTime() ||
    (folded.state.endsAt?.getTime() ?? null) !== (stored.endsAt?.getTime() ?? null);
  const changed = stateMoved
    ? {
        id: row.id,
        status: folded.state.status,
        starts_at: folded.state.startsAt.toISOString(),
        ends_at: folded.state.endsAt?.toISOString() ?? null,
        labels: folded.alert.labels,
        annotations: folded.alert.annotations,
        title: folded.alert.title,
        generator_url: folded.alert.generatorUrl,
        raw: folded.alert.raw ?? null,
        status_changed: statusChanged,
      }
    : null;
  const event = statusChanged
    ? { alert_id: row.id, status: folded.state.status, previous_status: stored.status }
    : null;
  return { result, changed, event };
}

/**
 * Upserts one webhook's alerts in a few statements whatever their number: insert the new ones
 * (`on conflict do nothing` settles races between concurrent deliveries), lock and fold the known ones,
 * then one update for state changes, one for repeats, one insert of alert events.
 */
export async function upsertAlerts(
  trx: Trx,
  alerts: NormalizedAlert[],
  now: Date,
  newId: IdGen,
): Promise<UpsertedAlert[]> {
  if (alerts.length === 0) return [];
  const source = alerts[0]!.source;
  const byFingerprint = new Map<string, NormalizedAlert[]>();
  for (const a of alerts) {
    const list = byFingerprint.get(a.fingerprint);
    if (list) list.push(a);
    else byFingerprint.set(a.fingerprint, [a]);
  }

  const fresh = [...byFingerprint.entries()].map(([fingerprint, deliveries]) => ({
    fingerprint,
    id: newId(),
    folded: fold(null, deliveries),
  }));
  const insertRows = fresh.map(({ id, fingerprint, folded: { alert, state } }) => ({
    id,
    source,
    fingerprint,
    status: state.status,
    labels: alert.labels,
    annotations: alert.annotations,
    title: alert.title,
    starts_at: state.startsAt.toISOString(),
    ends_at: state.endsAt?.toISOString() ?? null,
    generator_url: alert.generatorUrl,
    raw: alert.raw ?? null,
  }));
  const inserted = await readInChunks(insertRows, async (chunk) => {
    const r = await sql<{ id: string; fingerprint: string }>`
    insert into alerts (id, source, fingerprint, status, labels, annotations, title, starts_at, ends_at, generator_url,
                        raw, first_seen_at, last_seen_at, last_changed_at, seen_count)
    select v.id, v.source, v.fingerprint, v.status, v.labels, v.annotations, v.title, v.starts_at, v.ends_at,
           v.generator_url, coalesce(v.raw, 'null'::jsonb), ${now}, ${now}, ${now}, 1
    from jsonb_to_recordset(${json(chunk)}::jsonb) as v(id text, source text, fingerprint text, status text,
         labels jsonb, annotations jsonb, title text, starts_at timestamptz, ends_at timestamptz, generator_url text, raw jsonb)
    on conflict (source, fingerprint) do nothing
    returning id, fingerprint`.execute(trx);
    return r.rows;
  });
  const insertedIds = new Set(inserted.map((r) => r.id));

  const results: UpsertedAlert[] = [];
  const events: { alert_id: string; status: string; previous_status: string | null }[] = [];
  for (const f of fresh) {
    if (!insertedIds.has(f.id)) continue;
    results.push({ id: f.id, change: 'new', alert: f.folded.alert, incidentId: null, waitingIn: null });
    events.push({ alert_id: f.id, status: f.folded.state.status, previous_status: null });
  }

  const known = fresh.filter((f) => !insertedIds.has(f.id)).map((f) => f.fingerprint);
  if (known.length > 0) {
    // Row locks serialize concurrent deliveries of the same alerts; sorted to avoid deadlocks.
    const rows = await readInChunks(known.sort(), (chunk) =>
      trx
        .selectFrom('alerts')
        .select([
          'id',
          'fingerprint',
          'status',
          'starts_at',
          'ends_at',
          'incident_id',
          'waiting',
          'rule',
          'group_key',
        ])
        .where('source', '=', source)
        .where('fingerprint', 'in', chunk)
        .orderBy('fingerprint')
        .forUpdate()
        .execute(),
    );
    const changed: Record<string, unknown>[] = [];
    const repeated: string[] = [];
    for (const row of rows) {
      const known = foldKnown(row, byFingerprint.get(row.fingerprint)!);
      results.push(known.result);
      if (known.event) events.push(known.event);
      if (known.changed) changed.push(known.changed);
      else repeated.push(row.id);
    }
    await inChunks(changed, (chunk) =>
      sql`
        update alerts set status = v.status, starts_at = v.starts_at, ends_at = v.ends_at, labels = v.labels,
          annotations = v.annotations, title = v.title, generator_url = v.generator_url, raw = coalesce(v.raw, 'null'::jsonb),
          last_seen_at = ${now}, seen_count = alerts.seen_count + 1,
          last_changed_at = case when v.status_changed then ${now} else alerts.last_changed_at end
        from jsonb_to_recordset(${json(chunk)}::jsonb) as v(id text, status text, starts_at timestamptz,
             ends_at timestamptz, labels jsonb, annotations jsonb, title text, generator_url text, raw jsonb, status_changed boolean)
        where alerts.id = v.id`.execute(trx),
    );
    await inChunks(repeated, (chunk) =>
      trx
        .updateTable('alerts')
        .set({ last_seen_at: now, seen_count: sql`seen_count + 1` })
        .where('id', 'in', chunk)
        .execute(),
    );
  }
  await inChunks(events, (chunk) =>
    sql`
      insert into alert_events (alert_id, at, status, previous_status)
      select v.alert_id, ${now}, v.status, v.previous_status
      from jsonb_to_recordset(${json(chunk)}::jsonb) as v(alert_id text, status text, previous_status text)`.execute(
      trx,
    ),
  );
  return results;
}
