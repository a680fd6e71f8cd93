import type { SourceParseResult } from '../core/alert.ts';
import type { IngestLimits } from '../core/ingest-limits.ts';

/** What the HTTP layer hands to `verify`: the untouched request, before any JSON parsing. */
export interface VerifyRequest {
  /** Header names in any case; lookups are case-insensitive. */
  headers: Record<string, string | undefined>;
  rawBody: Uint8Array;
  now: Date;
}

export interface VerifySecrets {
  grafanaHmacSecret?: string;
  /** Accepted clock skew for signed timestamps, in seconds (default 300). */
  grafanaHmacReplayWindowSec?: number;
}

export type VerifyResult = { ok: true } | { ok: false; error: string };

/** One webhook sender. Pure: no I/O, no clock (the receive time is passed in). */
export interface Source {
  name: string;
  /**
   * Never throws: a body that is not the sender's shape is `{ ok: false, error }` naming the field. `limits`
   * lets a parser stop early on what the caller would refuse anyway (the caller checks them all).
   */
  parse(body: unknown, receivedAt: Date, limits?: IngestLimits): SourceParseResult;
  /** Request authenticity beyond the shared ingest token (e.g. Grafana's HMAC). Absent = nothing to check. */
  verify?(req: VerifyRequest, secrets: VerifySecrets): VerifyResult;
  /** Also takes `application/x-www-form-urlencoded` bodies (Datadog's "Encode as form"); others get a 415. */
  formBodies?: boolean;
  /** `parse` needs the whole body: a long `alerts` list is not handed over in chunks (custom mappings). */
  wholeBody?: boolean;
}
