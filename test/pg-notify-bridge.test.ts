import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.ts';
import { type ChangeEvent, createEventBus } from '../src/publish/event-bus.ts';
import {
  createPgNotifyBridge,
  decodeNotification,
  encodeNotification,
  listenerConnection,
  type PgNotifyBridge,
} from '../src/publish/pg-notify-bridge.ts';

const changed = (id: string): Extract<ChangeEvent, { type: 'incident.changed' }> => ({
  type: 'incident.changed',
  incidentId: id,
  kinds: ['opened'],
  public: true,
});

describe('pg notify payloads', () => {
  it('round-trips an event with its origin', () => {
    const event = changed('inc-1');
    expect(decodeNotification(encodeNotification(event, 'r1'))).toEqual({ origin: 'r1', event });
  });

  it('ignores what is not a known change event', () => {
    for (const payload of [
      '',
      'nope',
      '[]',
      'null',
      '{"type":"incident.changed"}',
      '{"origin":"r","type":"x"}',
    ])
      expect(decodeNotification(payload), payload).toBeNull();
  });

  it('keeps a payload under the NOTIFY limit by dropping kinds', () => {
    const event: ChangeEvent = {
      ...changed('inc-2'),
      kinds: Array.from({ length: 2_000 }, (_, i) => `k${i}`),
    };
    const text = encodeNotification(event, 'r1');
    expect(Buffer.byteLength(text)).toBeLessThan(8_000);
    expect(decodeNotification(text)?.event).toMatchObject({ incidentId: 'inc-2', kinds: [] });
  });
});

const url = process.env.TEST_DATABASE_URL;

/** Polls `probe` until it is true (at most 10 s). */
async function until(what: string, probe: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!url)('pg notify bridge on PostgreSQL', () => {
  // A channel per run: other test files share the database, and NOTIFY is database-wide.
  const channel = `incidentd_events_test_${randomBytes(4).toString('hex')}`;
  const opened: { bridge: PgNotifyBridge; pool: pg.Pool }[] = [];

  function replica(id: string) {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on('error', () => {});
    const bus = createEventBus();
    const heard: ChangeEvent[] = [];
    bus.subscribe((e) => heard.push(e));
    let resyncs = 0;
    const bridge = createPgNotifyBridge({
      connect: listenerConnection(url!),
      notify: (text, values) => pool.query(text, values),
      bus,
      replicaId: id,
      log: silentLogger,
      channel,
      minBackoffMs: 50,
      maxBackoffMs: 200,
      probeIntervalMs: 60_000,
      onResync: () => resyncs++,
    });
    // As main.ts wires it: every bus event goes out, the bridge skips the ones it brought in.
    bus.subscribe((e) => bridge.publish(e));
    opened.push({ bridge, pool });
    return { bus, bridge, heard, resyncs: () => resyncs };
  }

  afterEach(async () => {
    for (const { bridge, pool } of opened.splice(0)) {
      await bridge.close();
      await pool.end();
    }
  });

  it('delivers a replica’s events to the others, never back to itself, and never echoes them', async () => {
    const a = replica('a');
    const b = replica('b');
    const c = replica('c');
    await Promise.all([a.bridge.start(), b.bridge.start(), c.bridge.start()]);
    expect([a, b, c].every((r) => r.bridge.listening())).toBe(true);

    const event = changed('inc-a');
    a.bus.emit(event);
    await until('b and c to hear a', () => b.heard.length === 1 && c.heard.length === 1);
    expect(b.heard[0]).toEqual(event);
    expect(b.bridge.isRemote(b.heard[0]!)).toBe(true);
    expect(a.bridge.isRemote(event)).toBe(false);

    // A marker after the first event: once it arrives, any echo of the first would have arrived too.
    b.bus.emit({ type: 'maintenance.changed', maintenanceId: 'marker' });
    await until('a and c to hear the marker', () => a.heard.length === 2 && c.heard.length === 2);
    expect(a.heard.map((e) => e.type)).toEqual(['incident.changed', 'maintenance.changed']);
    expect(b.heard).toHaveLength(2);
    expect(c.heard.map((e) => e.type)).toEqual(['incident.changed', 'maintenance.changed']);
  });

  it('sends a burst in order, in batches', async () => {
    const a = replica('a');
    const b = replica('b');
    await Promise.all([a.bridge.start(), b.bridge.start()]);
    for (let i = 0; i < 500; i++) a.bus.emit(changed(`inc-${i}`));
    await a.bridge.flush();
    await until('b to hear 500 events', () => b.heard.length === 500);
    expect(b.heard.map((e) => (e as { incidentId: string }).incidentId)).toEqual(
      Array.from({ length: 500 }, (_, i) => `inc-${i}`),
    );
  });

  it('reconnects after its connection is killed, resyncs, and hears again', async () => {
    const a = replica('a');
    const b = replica('b');
    await Promise.all([a.bridge.start(), b.bridge.start()]);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const killed = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where query = $1 and pid <> pg_backend_pid()`,
        [`LISTEN "${channel}"`],
      );
      expect(killed.rowCount).toBe(2);
    } finally {
      await admin.end();
    }
    await until('both to resync', () => a.resyncs() === 1 && b.resyncs() === 1);
    expect(b.bridge.listening()).toBe(true);
    a.bus.emit(changed('after-reconnect'));
    await until('b to hear after reconnect', () => b.heard.length === 1);
    expect(b.heard[0]).toMatchObject({ incidentId: 'after-reconnect' });
  });

  it('starts without a database and connects when it appears', async () => {
    const bus = createEventBus();
    let attempts = 0;
    const bridge = createPgNotifyBridge({
      connect: () => {
        attempts++;
        // The first two attempts hit a closed port, then the real server.
        return attempts <= 2
          ? new pg.Client({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 1_000 })
          : listenerConnection(url!)();
      },
      notify: async () => {},
      bus,
      replicaId: 'late',
      log: silentLogger,
      channel,
      minBackoffMs: 20,
    });
    opened.push({ bridge, pool: new pg.Pool({ connectionString: url, max: 1 }) });
    await bridge.start();
    expect(bridge.listening()).toBe(false);
    await until('the bridge to listen', () => bridge.listening());
    expect(attempts).toBe(3);
  });
});
