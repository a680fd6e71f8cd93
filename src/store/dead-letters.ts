import { storableText } from '../core/storable-text.ts';
import type { Db } from './db.ts';
import { type PageRequest, toPage } from './pagination.ts';

export interface DeadLetterInput {
  source: string;
  reason: string;
  statusCode: number;
  contentType: string | null;
  headers: Record<string, string>;
  body: Uint8Array;
  /** Longest body kept (INCIDENTD_DEAD_LETTER_BODY_BYTES): past it, the first bytes only. */
  keepBytes?: number;
}

/** An unparseable body is kept for a look and a replay, not whole at any size (a few MB each add up). */
export const DEFAULT_DEAD_LETTER_BODY_BYTES = 256 * 1024;

// Headers worth keeping for a replay or a bug report; never the credential.
const KEPT_HEADERS = [
  'content-type',
  'content-length',
  'user-agent',
  'traceparent',
  'x-grafana-alerting-signature',
];

export function keptHeaders(get: (name: string) => string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const v = get(name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

export async function insertDeadLetter(db: Db, input: DeadLetterInput, now: Date): Promise<number> {
  const keep = input.keepBytes ?? DEFAULT_DEAD_LETTER_BODY_BYTES;
  const cut = input.body.byteLength > keep;
  const reason = cut ? `${input.reason}; first ${keep} of ${input.body.byteLength} bytes kept` : input.reason;
  const row = await db
    .insertInto('dead_letters')
    .values({
      source: input.source,
      received_at: now,
      // Reasons quote the body (a JSON parse error, a field name): keep them storable.
      reason: storableText(reason),
      status_code: input.statusCode,
      content_type: input.contentType,
      headers: JSON.stringify(input.headers),
      body: cut ? input.body.subarray(0, keep) : input.body,
      body_size: cut ? input.body.byteLength : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listDeadLetters(db: Db, page: PageRequest) {
  let q = db
    .selectFrom('dead_letters')
    .select([
      'id',
      'source',
      'received_at',
      'reason',
      'status_code',
      'content_type',
      'replayed_at',
      'replay_status',
      'replay_result',
      'body_size',
    ])
    .select((eb) => eb.fn<number>('octet_length', ['body']).as('size'))
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (page.after) {
    const { at, id } = page.after;
    q = q.where((eb) =>
      eb.or([eb('received_at', '<', at), eb.and([eb('received_at', '=', at), eb('id', '<', Number(id))])]),
    );
  }
  const rows = await q.execute();
  return toPage(rows, page.limit, (r) => ({ at: new Date(r.received_at), id: r.id }));
}

/** Only the first bytes were kept (cut to the kept length, or over the request size limit): not replayable. */
export function isCutDeadLetter(row: { status_code: number; body_size: number | null; body: Uint8Array }) {
  return row.status_code === 413 || (row.body_size !== null && row.body_size > row.body.byteLength);
}

export async function getDeadLetter(db: Db, id: number) {
  return db.selectFrom('dead_letters').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function markReplayed(
  db: Db,
  id: number,
  status: number,
  result: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('dead_letters')
    .set({ replayed_at: now, replay_status: status, replay_result: storableText(result) })
    .where('id', '=', id)
    .execute();
}

export async function countDeadLetters(db: Db): Promise<number> {
  const row = await db
    .selectFrom('dead_letters')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('replayed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
