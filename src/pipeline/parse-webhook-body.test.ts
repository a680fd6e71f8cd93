import { describe, expect, it } from 'vitest';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from '../core/ingest-limits.ts';
import { sources } from '../sources/registry.ts';
import { parseJsonSliced } from './json-guard.ts';
import { scanJsonShape } from './json-shape-scan.ts';
import { parseWebhookBody } from './parse-webhook-body.ts';
import { type TimeSlice, timeSlice } from './time-slice.ts';

const at = new Date('2026-11-29T12:00:00Z');
const bytes = (body: unknown) =>
  new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
const small: IngestLimits = {
  maxAlertsPerBody: 3,
  maxLabelsPerAlert: 4,
  maxLabelNameBytes: 8,
  maxLabelValueBytes: 16,
};
const am = (alerts: unknown[], extra: object = {}) => ({ version: '4', alerts, ...extra });
const alert = (labels: Record<string, string>, annotations: Record<string, string> = {}) => ({
  labels,
  annotations,
  status: 'firing',
  fingerprint: JSON.stringify(labels),
});
const parse = (source: string, body: unknown, limits = small) =>
  parseWebhookBody(sources[source]!, bytes(body), at, limits);
const errorOf = async (source: string, body: unknown, limits = small) => {
  const r = await parse(source, body, limits);
  return r.ok ? null : r.error;
};

/**
 * Records the longest stretch of CPU time spent between turns of the event loop (CPU, not wall-clock, time:
 * on a busy shared machine the process is descheduled for longer than any stretch of its own work).
 */
function measuredSlice(): TimeSlice & { longest: () => number } {
  const inner = timeSlice(10);
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  let last = cpuMs();
  let longest = 0;
  return {
    pause() {
      longest = Math.max(longest, cpuMs() - last);
      const p = inner.pause();
      if (!p) return undefined;
      return p.then(() => {
        last = cpuMs();
      });
    },
    longest: () => Math.max(longest, cpuMs() - last),
  };
}

describe('ingest limits', () => {
  it('refuses each exceeded limit with a 400 message naming the place, the limit and its variable', async () => {
    expect(
      await errorOf(
        'alertmanager',
        am([alert({ a: '1' }), alert({ a: '2' }), alert({ a: '3' }), alert({ a: '4' })]),
      ),
    ).toBe('alerts: more than 3 entries, the limit set by INCIDENTD_MAX_ALERTS_PER_BODY');
    expect(await errorOf('alertmanager', am([alert({ a: '1', b: '2', c: '3', d: '4', e: '5' })]))).toBe(
      'alerts[0].labels: more than 4 entries, the limit set by INCIDENTD_MAX_LABELS_PER_ALERT',
    );
    expect(
      await errorOf(
        'grafana',
        am([alert({ a: '1' }), alert({ a: '2' }, { a: '', b: '', c: '', d: '', e: '' })]),
      ),
    ).toBe('alerts[1].annotations: more than 4 entries, the limit set by INCIDENTD_MAX_LABELS_PER_ALERT');
    expect(await errorOf('alertmanager', am([alert({ 'much-too-long': '1' })]))).toBe(
      'alerts[0].labels: more than 8 bytes in a name (13), the limit set by INCIDENTD_MAX_LABEL_NAME_BYTES',
    );
    expect(await errorOf('alertmanager', am([alert({ a: 'é'.repeat(9) })]))).toBe(
      'alerts[0].labels.a: more than 16 bytes in the value (18), the limit set by INCIDENTD_MAX_LABEL_VALUE_BYTES',
    );
    // Group labels merged into an alert count too.
    expect(
      await errorOf(
        'alertmanager',
        am([alert({ a: '1', b: '2' })], { commonLabels: { c: '3', d: '4', e: '5' } }),
      ),
    ).toBe('alerts[0].labels: more than 4 entries, the limit set by INCIDENTD_MAX_LABELS_PER_ALERT');
  });

  it('Datadog tags count as labels, as a list or a string', async () => {
    expect(await errorOf('datadog', { id: '1', tags: ['a:1', 'b:2', 'c:3', 'd:4', 'e:5'] })).toBe(
      'tags: more than 4 entries, the limit set by INCIDENTD_MAX_LABELS_PER_ALERT',
    );
    expect(await errorOf('datadog', { id: '1', tags: 'a:1,b:2,c:3,d:4,e:5,f:6' })).toBe(
      'alerts[0].labels: more than 4 entries, the limit set by INCIDENTD_MAX_LABELS_PER_ALERT',
    );
    // Repeated keys are one label.
    expect((await parse('datadog', { id: '1', tags: 'a:1,a:2,a:1,b' })).ok).toBe(true);
  });

  it('accepts what is within every limit, and the defaults take 20,000 alerts', async () => {
    const within = await parse(
      'alertmanager',
      am([alert({ a: '1', b: '2', c: '3', d: '4' }), alert({ a: '2' })]),
    );
    expect(within.ok && within.alerts.map((a) => a.labels.a)).toEqual(['1', '2']);
    const many = Array.from({ length: 20_000 }, (_, i) => alert({ alertname: 'A', instance: `i-${i}` }));
    const big = await parse('alertmanager', am(many), DEFAULT_INGEST_LIMITS);
    expect(big.ok && big.alerts.length).toBe(20_000);
    expect(big.ok && big.alerts[19_999]!.labels.instance).toBe('i-19999');
  });

  it('numbers errors by their place in the whole list, across the chunks it is parsed in', async () => {
    const alerts: unknown[] = Array.from({ length: 1_000 }, (_, i) => alert({ n: String(i) }));
    alerts[777] = { labels: 'nope' };
    expect(await errorOf('alertmanager', am(alerts), DEFAULT_INGEST_LIMITS)).toBe(
      'alerts[777].labels: expected object',
    );
  });
});

describe('scanJsonShape', () => {
  const scan = (text: string, limits = small) => scanJsonShape(text, limits, timeSlice());

  it('counts entries by their commas, names nested places, ignores commas and brackets in strings', async () => {
    expect(await scan('{"alerts":[1,2,3],"x":{"a":1,"b":2,"c":3,"d":4}}')).toMatchObject({ error: null });
    expect(await scan('{"alerts":[1,2,3,4]}')).toEqual({
      error: 'alerts: more than 3 entries, the limit set by INCIDENTD_MAX_ALERTS_PER_BODY',
    });
    expect(await scan('{"alerts":[{},{"labels":{"a":1,"b":"[,,,]","c":"\\",\\"","d":4,"e":5}}]}')).toEqual({
      error: 'alerts[1].labels: more than 4 entries, the limit set by INCIDENTD_MAX_LABELS_PER_ALERT',
    });
    expect(await scan('{"a":1,"b":2,"c":3,"d":4,"e":5}')).toEqual({
      error: 'body: more than 4 entries, the limit set by INCIDENTD_MAX_LABELS_PER_ALERT',
    });
    expect(await scan('{"we\\"ird":[1,2,3,4,5]}')).toEqual({
      error: '["we\\"ird"]: more than 4 entries, the limit set by INCIDENTD_MAX_LABELS_PER_ALERT',
    });
    // A bare list is the alerts list (Prometheus' /api/v2/alerts).
    expect(await scan('[1,2,3]')).toMatchObject({ error: null });
    expect((await scan('[1,2,3,4]')).error).toContain('INCIDENTD_MAX_ALERTS_PER_BODY');
    expect(await scan(`${'['.repeat(65)}${']'.repeat(65)}`)).toEqual({
      error: 'body: nested deeper than 64 levels',
    });
    // Broken JSON is left to JSON.parse.
    expect(await scan('{"a":"unterminated')).toEqual({ error: null, alerts: null });
  });

  it('refuses a 200,000-label alert from its text, before JSON.parse builds it', async () => {
    const labels = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`l${i}`, 'v']));
    const text = JSON.stringify({ alerts: [{ labels }] });
    const started = performance.now();
    expect((await scanJsonShape(text, DEFAULT_INGEST_LIMITS, timeSlice())).error).toBe(
      'alerts[0].labels: more than 1000 entries, the limit set by INCIDENTD_MAX_LABELS_PER_ALERT',
    );
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('parseJsonSliced gives what JSON.parse gives, and the same errors', async () => {
    for (const body of [
      {
        version: '4',
        alerts: Array.from({ length: 1_234 }, (_, i) => ({ i, s: `a,b]}[{"${i}` })),
        after: [1, { x: 2 }],
      },
      Array.from({ length: 700 }, (_, i) => ({ i })),
      { alerts: [] },
    ]) {
      const text = JSON.stringify(body);
      const shape = await scanJsonShape(text, DEFAULT_INGEST_LIMITS, timeSlice());
      if (shape.error !== null) throw new Error(shape.error);
      expect(await parseJsonSliced(text, shape.alerts, timeSlice(), 100)).toEqual(body);
    }
    const broken = `{"alerts":[${Array.from({ length: 500 }, () => '{"a":1}').join(',')},{"a":}]}`;
    const shape = await scanJsonShape(broken, DEFAULT_INGEST_LIMITS, timeSlice());
    if (shape.error !== null) throw new Error(shape.error);
    let expected = '';
    try {
      JSON.parse(broken);
    } catch (err) {
      expected = (err as Error).message;
    }
    await expect(parseJsonSliced(broken, shape.alerts, timeSlice(), 100)).rejects.toThrow(expected);
  });
});

describe('parsing big bodies in slices', () => {
  it('decodes UTF-8 in pieces: characters split between pieces survive, invalid bytes anywhere are a 400', async () => {
    // 512 KiB pieces: put a 4-byte character and an invalid byte across and after the first boundary.
    const text = JSON.stringify(am([alert({ a: '1' }, { pad: 'x', fire: '🔥é' })]));
    const padded = text.replace('"x"', `"${'x'.repeat(512 * 1024 - 1 - text.indexOf('🔥'))}"`);
    expect(Buffer.from(padded).indexOf(Buffer.from('🔥'))).toBe(512 * 1024 - 2);
    const ok = await parse('alertmanager', padded, DEFAULT_INGEST_LIMITS);
    expect(ok.ok && ok.alerts[0]!.annotations.fire).toBe('🔥é');
    const body = Buffer.from(JSON.stringify(am([alert({ bad: 'ab' }, { pad: 'x'.repeat(600 * 1024) })])));
    body[body.indexOf('"ab"') + 1] = 0xff;
    expect(
      (await parseWebhookBody(sources.alertmanager!, body, at, DEFAULT_INGEST_LIMITS)) as unknown,
    ).toEqual({
      ok: false,
      error: 'body: not valid UTF-8',
    });
  });

  it('20,000 alerts (within the defaults): the event loop gets a turn at least every ~100 ms', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) =>
      alert({ alertname: 'A', instance: `i-${i}`, job: 'node' }),
    );
    const slice = measuredSlice();
    const r = await parseWebhookBody(
      sources.alertmanager!,
      bytes(am(many)),
      at,
      DEFAULT_INGEST_LIMITS,
      slice,
    );
    expect(r.ok && r.alerts.length).toBe(20_000);
    expect(r.ok && r.alerts[19_999]!.labels.instance).toBe('i-19999');
    // 10 ms slices of wall-clock time; unsliced, this was 1-3 s in one go.
    expect(slice.longest()).toBeLessThan(100);
  });
});
