import type { SourceParseResult } from '../core/alert.ts';
import type { IngestLimits } from '../core/ingest-limits.ts';

/** Ports the pipeline needs from the outside world; adapters implement them, tests fake them. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests move by hand, for SLA and auto-resolve scenarios in simulated time. */
export class ManualClock implements Clock {
  constructor(private current: Date = new Date('2026-01-01T00:00:00Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export type IdGen = () => string;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A webhook sender as the pipeline sees it (sources/<tool> implement it). */
export interface WebhookSource {
  name: string;
  /**
   * Never throws: a body that is not the sender's shape is `{ ok: false, error }` naming the field. `limits`
   * lets a parser stop early on what the caller would refuse anyway (the caller checks them all).
   */
  parse(body: unknown, receivedAt: Date, limits?: IngestLimits): SourceParseResult;
  /** Request authenticity beyond the ingest token (Grafana's HMAC). */
  verify?(
    req: { headers: Record<string, string | undefined>; rawBody: Uint8Array; now: Date },
    secrets: { grafanaHmacSecret?: string },
  ): { ok: true } | { ok: false; error: string };
  /** `parse` needs the whole body: a long `alerts` list is not handed over in chunks (custom mappings). */
  wholeBody?: boolean;
}
