import { describe, expect, it } from 'vitest';
import type { NormalizedAlert } from '../../core/alert.ts';
import { silentLogger } from '../../logger.ts';
import { createMonitorEnricher, type EnrichmentOutcome } from './enrich.ts';
import type { MonitorFacts } from './monitor-labels.ts';

const alert = (labels: Record<string, string>): NormalizedAlert => ({
  source: 'datadog',
  fingerprint: 'f',
  status: 'firing',
  labels,
  annotations: {},
  title: 't',
  startsAt: new Date(0),
  endsAt: null,
  generatorUrl: null,
  raw: {},
});

const monitor: MonitorFacts = {
  id: 7,
  name: 'm',
  tags: ['customer:acme', 'service:other'],
  priority: 1,
  overallState: 'Alert',
};

function setup(get: (id: number) => Promise<MonitorFacts | null>, timeoutMs = 200) {
  const counted: EnrichmentOutcome[] = [];
  const enrich = createMonitorEnricher({
    cache: { get },
    timeoutMs,
    log: silentLogger,
    count: (o) => counted.push(o),
  });
  return { enrich, counted };
}

describe('monitor enrichment', () => {
  it('adds missing monitor labels and says which', async () => {
    const { enrich, counted } = setup(async () => monitor);
    const [out] = await enrich('datadog', [alert({ monitor_id: '7', service: 'checkout' })]);
    expect(out!.labels).toEqual({ monitor_id: '7', service: 'checkout', customer: 'acme', priority: 'P1' });
    expect(out!.annotations.monitor_labels).toBe('customer,priority');
    expect(counted).toEqual(['enriched']);
  });

  it('leaves other sources and alerts without a monitor alone', async () => {
    const { enrich, counted } = setup(async () => {
      throw new Error('must not be called');
    });
    const a = alert({ monitor_id: '7' });
    expect(await enrich('alertmanager', [a])).toEqual([a]);
    const b = alert({});
    expect(await enrich('datadog', [b])).toEqual([b]);
    expect(counted).toEqual([]);
  });

  it('gives up at the timeout and on errors, ingesting the alert as it came', async () => {
    const slow = setup(() => new Promise((r) => setTimeout(() => r(monitor), 1000)), 50);
    const a = alert({ monitor_id: '7' });
    const started = performance.now();
    expect(await slow.enrich('datadog', [a])).toEqual([a]);
    expect(performance.now() - started).toBeLessThan(500);
    expect(slow.counted).toEqual(['timeout']);
    const broken = setup(async () => {
      throw new Error('boom');
    });
    expect(await broken.enrich('datadog', [a])).toEqual([a]);
    const missing = setup(async () => null);
    expect(await missing.enrich('datadog', [a])).toEqual([a]);
    expect(missing.counted).toEqual(['unavailable']);
  });
});
