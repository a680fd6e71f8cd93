import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../catalog.ts';
import type { CustomSourceDef } from '../../core/custom-source-definition.ts';
import { DEFAULT_INGEST_LIMITS } from '../../core/ingest-limits.ts';
import { createCustomSource } from './custom-source.ts';
import { labelsFingerprint, mapCustomBody } from './to-raw.ts';

const AT = new Date('2026-11-29T12:00:00Z');

function define(entry: Record<string, unknown>): CustomSourceDef {
  return parseCatalog({ sources: [entry] }, 'incidentd.yaml').sources[0]!;
}

/** Uptime Kuma's webhook body (trimmed): heartbeat.status 0 = down, 1 = up. */
const kuma = {
  heartbeat: { monitorID: 7, status: 0, msg: 'timeout of 48000ms exceeded', time: '2026-11-29 12:00:00' },
  monitor: { id: 7, name: 'shop', url: 'https://shop.example' },
  msg: '[shop] [🔴 Down] timeout of 48000ms exceeded',
};
const kumaSource = {
  name: 'uptime-kuma',
  fingerprint: 'string(body.monitor.id)',
  status: 'body.heartbeat.status == 0',
  title: 'body.msg',
  labels: { alertname: '"MonitorDown"', monitor: 'body.monitor.name', service: '"api"' },
  annotations: { description: 'body.heartbeat.msg', url: 'body.monitor.?url.orValue("")' },
};

describe('custom source mapping', () => {
  it('maps one body to one alert by its expressions', () => {
    const r = mapCustomBody(define(kumaSource), kuma, AT);
    expect(r).toEqual({
      ok: true,
      truncatedAlerts: 0,
      alerts: [
        {
          source: 'custom/uptime-kuma',
          fingerprint: '7',
          status: 'firing',
          labels: { alertname: 'MonitorDown', monitor: 'shop', service: 'api' },
          annotations: { description: 'timeout of 48000ms exceeded', url: 'https://shop.example' },
          title: '[shop] [🔴 Down] timeout of 48000ms exceeded',
          startsAt: AT,
          endsAt: null,
          generatorUrl: null,
          raw: kuma,
        },
      ],
    });
    const up = mapCustomBody(
      define(kumaSource),
      { ...kuma, heartbeat: { ...kuma.heartbeat, status: 1 } },
      AT,
    );
    expect(up.ok && up.alerts[0]).toMatchObject({ status: 'resolved', endsAt: AT, fingerprint: '7' });
  });

  it('maps each item of `items`, with body still in scope', () => {
    const def = define({
      name: 'cron',
      items: 'body.jobs',
      fingerprint: 'body.host + "/" + item.name',
      status: 'item.ok ? "resolved" : "FIRING"',
      labels: { job: 'item.name', host: 'body.host' },
    });
    const body = {
      host: 'h1',
      jobs: [
        { name: 'a', ok: false },
        { name: 'b', ok: true },
        { name: 'c', ok: false },
      ],
    };
    const r = mapCustomBody(def, body, AT);
    if (!r.ok) throw new Error(r.error);
    expect(r.alerts.map((a) => [a.fingerprint, a.status, a.labels.job, a.labels.host])).toEqual([
      ['h1/a', 'firing', 'a', 'h1'],
      ['h1/b', 'resolved', 'b', 'h1'],
      ['h1/c', 'firing', 'c', 'h1'],
    ]);
    expect(r.alerts[1]!.raw).toEqual({ name: 'b', ok: true });
    // No title expression: the source name (no alertname label either).
    expect(r.alerts[0]!.title).toBe('custom/cron');
  });

  it('names the field and the value when status is neither firing nor resolved', () => {
    const def = define({ name: 'm', status: 'body.state', labels: { x: 'body.x' } });
    expect(mapCustomBody(def, { state: 'down', x: '1' }, AT)).toEqual({
      ok: false,
      error: 'status: must be "firing" or "resolved" (or a bool: true = firing), got "down"',
    });
    const items = define({ name: 'm', items: 'body.list', status: 'item.s' });
    const r = mapCustomBody(items, { list: [{ s: 'firing' }, { s: 3 }] }, AT);
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/^items\[1\]\.status: .*got 3$/) });
  });

  it('reports an evaluation error with the field, and a non-list items', () => {
    const def = define({ name: 'm', labels: { team: 'body.team' } });
    expect(mapCustomBody(def, {}, AT)).toEqual({
      ok: false,
      error: 'labels.team: No such key: team (in body.team)',
    });
    const items = define({ name: 'm', items: 'body.alerts' });
    expect(mapCustomBody(items, { alerts: { a: 1 } }, AT)).toEqual({
      ok: false,
      error: 'items: must be a list, got {"a":1}',
    });
    const map = define({ name: 'm', labels: { x: 'body' } });
    expect(mapCustomBody(map, { a: 1 }, AT)).toMatchObject({
      ok: false,
      error: /labels\.x: must be a string/,
    });
  });

  it('defaults: fingerprint from the labels (stable, order-free), firing, empty labels dropped', () => {
    const def = define({ name: 'm', labels: { a: 'body.a', b: 'body.b', empty: '""', n: 'body.n' } });
    const one = mapCustomBody(def, { a: 'x', b: 'y', n: 2 }, AT);
    const two = mapCustomBody(def, { b: 'y', a: 'x', n: 2 }, AT);
    if (!one.ok || !two.ok) throw new Error('expected ok');
    expect(one.alerts[0]!.labels).toEqual({ a: 'x', b: 'y', n: '2' });
    expect(one.alerts[0]!.status).toBe('firing');
    expect(one.alerts[0]!.fingerprint).toBe(two.alerts[0]!.fingerprint);
    expect(one.alerts[0]!.fingerprint).toBe(labelsFingerprint({ n: '2', b: 'y', a: 'x' }));
    expect(one.alerts[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(labelsFingerprint({ a: 'x' })).not.toBe(labelsFingerprint({ a: 'y' }));
  });

  it('stops at the alerts-per-body limit', () => {
    const def = define({ name: 'm', items: 'body' });
    const limits = { ...DEFAULT_INGEST_LIMITS, maxAlertsPerBody: 2 };
    expect(mapCustomBody(def, [1, 2, 3], AT, limits)).toMatchObject({
      ok: false,
      error: /^items: more than 2 entries, the limit set by INCIDENTD_MAX_ALERTS_PER_BODY$/,
    });
  });

  it('is a Source named custom/<name> that takes form bodies', () => {
    const source = createCustomSource(define(kumaSource));
    expect(source.name).toBe('custom/uptime-kuma');
    expect(source.formBodies).toBe(true);
    expect(source.parse(kuma, AT)).toMatchObject({ ok: true, alerts: [{ fingerprint: '7' }] });
  });
});

describe('catalog sources:', () => {
  it('names the entry, the field and the CEL message of a bad expression', () => {
    expect(() =>
      parseCatalog({ sources: [{ name: 'm', labels: { team: 'body.team ==' } }] }, 'incidentd.yaml'),
    ).toThrow(/^incidentd\.yaml: sources\[0\]\.labels\.team: CEL syntax error: .+\(column \d+\)$/);
  });

  it('reports every bad field, `item` outside items, duplicates and unknown keys', () => {
    let message = '';
    try {
      parseCatalog(
        {
          sources: [
            { name: 'a', status: 'item.state', title: '"x" +', labels: { ok: 'body.x' } },
            { name: 'a', statuz: 'true' },
            { name: 'Bad Name' },
          ],
        },
        'c.yaml',
      );
    } catch (err) {
      message = (err as Error).message;
    }
    const lines = message.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^c\.yaml: sources\[0\]\.status: CEL .*item/),
        expect.stringMatching(/^c\.yaml: sources\[0\]\.title: CEL syntax error/),
        'c.yaml: sources[1].statuz: unknown key',
        expect.stringMatching(/^c\.yaml: sources\[2\]\.name: names are lowercase/),
      ]),
    );
    expect(() => parseCatalog({ sources: [{ name: 'a' }, { name: 'a' }] }, 'c.yaml')).toThrow(
      'c.yaml: sources[1].name: duplicate source name "a"',
    );
  });

  it('compiles once: the catalog holds programs, and no sources: means none', () => {
    const def = define(kumaSource);
    expect(typeof def.status?.program).toBe('function');
    expect(Object.keys(def.labels)).toEqual(['alertname', 'monitor', 'service']);
    expect(parseCatalog({}, 'c.yaml').sources).toEqual([]);
  });
});
