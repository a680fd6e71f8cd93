import { crc32 } from 'node:zlib';

/** One accepted webhook as the intake journal keeps it: enough to process it again after a crash. */
export interface IntakeRecord {
  source: string;
  /** The headers a replay or a bug report may need (content type, Grafana signature); never the credential. */
  headers: Record<string, string>;
  receivedAt: Date;
  body: Uint8Array;
}

/**
 * Frame: `u32 length` `u32 crc32(payload)` `payload`, little-endian; payload: `u8 version` `u32 meta length`
 * `meta (UTF-8 JSON: source, headers, received_at)` `body bytes`. A crash in the middle of an append leaves a
 * short or mismatching last frame, which `decodeFrames` reports as torn instead of returning it.
 */
const HEADER = 8;
const VERSION = 1;
/** Larger than any body we accept (INCIDENTD_MAX_BODY_BYTES is far below): a bigger length is garbage. */
export const MAX_FRAME_BYTES = 1024 * 1024 * 1024;

export function encodeFrame(record: IntakeRecord): Buffer {
  const meta = Buffer.from(
    JSON.stringify({
      source: record.source,
      headers: record.headers,
      received_at: record.receivedAt.toISOString(),
    }),
    'utf8',
  );
  const payloadLength = 1 + 4 + meta.byteLength + record.body.byteLength;
  const frame = Buffer.allocUnsafe(HEADER + payloadLength);
  frame.writeUInt8(VERSION, HEADER);
  frame.writeUInt32LE(meta.byteLength, HEADER + 1);
  meta.copy(frame, HEADER + 5);
  frame.set(record.body, HEADER + 5 + meta.byteLength);
  frame.writeUInt32LE(payloadLength, 0);
  frame.writeUInt32LE(crc32(frame.subarray(HEADER)), 4);
  return frame;
}

export interface DecodedFrames {
  records: IntakeRecord[];
  /** Bytes after the last whole frame: a torn append (crash mid-write) or garbage; never replayed. */
  tornBytes: number;
}

/** Every whole, intact frame from the start; stops at the first short, oversized or corrupt one. */
export function decodeFrames(data: Uint8Array): DecodedFrames {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const records: IntakeRecord[] = [];
  let at = 0;
  while (at < buf.byteLength) {
    const record = decodeAt(buf, at);
    if (!record) break;
    records.push(record.value);
    at = record.next;
  }
  return { records, tornBytes: buf.byteLength - at };
}

function decodeAt(buf: Buffer, at: number): { value: IntakeRecord; next: number } | null {
  if (buf.byteLength - at < HEADER) return null;
  const length = buf.readUInt32LE(at);
  if (length < 5 || length > MAX_FRAME_BYTES || at + HEADER + length > buf.byteLength) return null;
  const payload = buf.subarray(at + HEADER, at + HEADER + length);
  if (crc32(payload) !== buf.readUInt32LE(at + 4) || payload.readUInt8(0) !== VERSION) return null;
  const metaLength = payload.readUInt32LE(1);
  if (5 + metaLength > length) return null;
  try {
    const meta = JSON.parse(payload.subarray(5, 5 + metaLength).toString('utf8')) as {
      source: string;
      headers: Record<string, string>;
      received_at: string;
    };
    const value: IntakeRecord = {
      source: meta.source,
      headers: meta.headers,
      receivedAt: new Date(meta.received_at),
      body: new Uint8Array(payload.subarray(5 + metaLength)),
    };
    return { value, next: at + HEADER + length };
  } catch {
    return null;
  }
}
