import pg from 'pg';
import type { Logger } from '../pipeline/ports.ts';
import type { ChangeEvent, EventBus } from './event-bus.ts';

/**
 * Replicas on one PostgreSQL database behave as one: after commit, each replica NOTIFYs its change events on
 * `incidentd_events`; every replica LISTENs on a dedicated connection (a pooled one could be handed to a
 * query and miss notifications, and a transaction-pooling proxy would not keep the LISTEN) and re-emits the
 * others' events on its local bus, so its status snapshot and WebSocket clients follow every replica.
 *
 * NOTIFY is fire-and-forget: a notification sent while a listener was disconnected is lost. So whenever the
 * listener connects again, `onResync` runs (the caller rebuilds its snapshot from the database).
 */

const DEFAULT_CHANNEL = 'incidentd_events';

/** Notifications are capped at 8000 bytes by PostgreSQL; ours are a few hundred. */
const MAX_PAYLOAD_BYTES = 7_900;
/** Events waiting for the pool while the database is slow or down; past this the oldest are dropped. */
const MAX_QUEUED = 10_000;
/** Events sent per NOTIFY statement. */
const BATCH = 200;

export interface PgNotifyBridge {
  /** Sends a local, committed event to the other replicas. Events this bridge received are never sent back. */
  publish(event: ChangeEvent): void;
  /** True for events this bridge emitted on the bus on behalf of another replica. */
  isRemote(event: ChangeEvent): boolean;
  /** Connects and LISTENs; never throws: a failed first attempt is retried in the background. */
  start(): Promise<void>;
  /** True while the listener connection is up and LISTENing. */
  listening(): boolean;
  /** Waits until queued events are sent (tests, shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface PgNotifyBridgeDeps {
  /** Opens the listener connection (a plain pg.Client, not from the pool). */
  connect: () => pg.Client;
  /** Runs NOTIFY statements (the store's pool). */
  notify: (text: string, values: unknown[]) => Promise<unknown>;
  bus: EventBus;
  /** This replica's id, carried in every payload so a replica ignores its own notifications. */
  replicaId: string;
  log: Logger;
  /** Called after the listener reconnected: notifications may have been missed meanwhile. */
  onResync?: () => void;
  channel?: string;
  /** Reconnect backoff: first delay and cap. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A listener connection can die silently (a half-open TCP connection): probe it this often. */
  probeIntervalMs?: number;
}

/** The listener connection: bounded connect and probe times, TCP keep-alive to notice a vanished server. */
export function listenerConnection(connectionString: string): () => pg.Client {
  return () =>
    new pg.Client({
      connectionString,
      connectionTimeoutMillis: 5_000,
      query_timeout: 10_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
}

const EVENT_TYPES = new Set([
  'incident.changed',
  'maintenance.changed',
  'component.changed',
  'silence.changed',
]);

/** The payload minus `origin`, if it is a change event we know; null otherwise (a newer replica's event). */
export function decodeNotification(payload: string): { origin: string; event: ChangeEvent } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const { origin, ...event } = parsed as { origin?: unknown; type?: unknown };
  if (typeof origin !== 'string' || typeof event.type !== 'string' || !EVENT_TYPES.has(event.type))
    return null;
  return { origin, event: event as ChangeEvent };
}

export function encodeNotification(event: ChangeEvent, origin: string): string {
  const text = JSON.stringify({ ...event, origin });
  if (Buffer.byteLength(text) <= MAX_PAYLOAD_BYTES || event.type !== 'incident.changed') return text;
  // Only `kinds` can grow; receivers only need to know that the incident changed.
  return JSON.stringify({ ...event, kinds: [], origin });
}

export function createPgNotifyBridge(deps: PgNotifyBridgeDeps): PgNotifyBridge {
  const channel = deps.channel ?? DEFAULT_CHANNEL;
  const minBackoff = deps.minBackoffMs ?? 250;
  const maxBackoff = deps.maxBackoffMs ?? 10_000;
  const probeInterval = deps.probeIntervalMs ?? 30_000;
  const { log } = deps;
  const remote = new WeakSet<ChangeEvent>();

  let client: pg.Client | null = null;
  let up = false;
  let closed = false;
  let everConnected = false;
  let backoff = minBackoff;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let probeTimer: NodeJS.Timeout | null = null;
  let connecting: Promise<void> | null = null;

  const queue: string[] = [];
  let sending: Promise<void> | null = null;
  let dropped = 0;

  function onNotification(msg: pg.Notification): void {
    if (msg.channel !== channel || !msg.payload) return;
    const decoded = decodeNotification(msg.payload);
    if (!decoded || decoded.origin === deps.replicaId) return;
    remote.add(decoded.event);
    deps.bus.emit(decoded.event);
  }

  /** Drops the connection (if any) and tries again after the current backoff. */
  function lost(reason: unknown): void {
    const c = client;
    client = null;
    if (probeTimer) clearInterval(probeTimer);
    probeTimer = null;
    if (c) {
      c.removeAllListeners('notification');
      // Keep an error listener: a late socket error on a dead client must not crash the process.
      c.on('error', () => {});
      c.end().catch(() => {});
    }
    if (up)
      log.warn('event listener connection lost; other replicas are not heard until it is back', {
        error: reason,
      });
    up = false;
    if (closed || reconnectTimer) return;
    const delay = backoff;
    backoff = Math.min(backoff * 2, maxBackoff);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void connect();
    }, delay);
    reconnectTimer.unref();
  }

  function connect(): Promise<void> {
    if (connecting) return connecting;
    connecting = (async () => {
      const c = deps.connect();
      client = c;
      // Registered before connect: a connection error is reported here and by connect() at once.
      c.on('error', (err) => {
        if (client === c) lost(err);
      });
      c.on('end', () => {
        if (client === c) lost(new Error('connection ended'));
      });
      c.on('notification', onNotification);
      try {
        await c.connect();
        await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      } catch (err) {
        if (client === c) lost(err);
        return;
      }
      if (closed || client !== c) {
        await c.end().catch(() => {});
        return;
      }
      up = true;
      backoff = minBackoff;
      probeTimer = setInterval(() => {
        if (client !== c) return;
        c.query('select 1').catch((err) => {
          if (client === c) lost(err);
        });
      }, probeInterval);
      probeTimer.unref();
      if (everConnected) {
        log.info('event listener reconnected; rebuilding from the database');
        deps.onResync?.();
      }
      everConnected = true;
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  }

  async function drain(): Promise<void> {
    while (queue.length > 0 && !closed) {
      const batch = queue.splice(0, BATCH);
      try {
        await deps.notify('select pg_notify($1, p) from unnest($2::text[]) as p', [channel, batch]);
      } catch (err) {
        // The database is down: the others' listeners are down too and will resync when it is back.
        log.warn('could not notify other replicas', { error: err, events: batch.length });
      }
    }
  }

  /** One drain at a time; events queued while its last batch was finishing start the next. */
  function kick(): void {
    if (sending || closed) return;
    sending = drain().finally(() => {
      sending = null;
      if (queue.length > 0) kick();
    });
  }

  return {
    publish(event) {
      if (closed || remote.has(event)) return;
      queue.push(encodeNotification(event, deps.replicaId));
      if (queue.length > MAX_QUEUED) {
        queue.shift();
        if (dropped++ % 1000 === 0) log.warn('notify queue full: dropping the oldest events', { dropped });
      }
      kick();
    },
    isRemote: (event) => remote.has(event),
    start: () => connect(),
    listening: () => up,
    async flush() {
      while (sending) await sending;
    },
    async close() {
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      if (probeTimer) clearInterval(probeTimer);
      probeTimer = null;
      await connecting?.catch(() => {});
      await sending?.catch(() => {});
      const c = client;
      client = null;
      up = false;
      if (c) {
        c.on('error', () => {});
        await c.end().catch(() => {});
      }
    },
  };
}
