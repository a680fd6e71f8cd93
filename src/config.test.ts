import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const ROOT = resolve(import.meta.dirname, '..');
const load = (env: Record<string, string>) => loadConfig(env, ROOT);

describe('operations settings', () => {
  it('has documented defaults: metrics behind a credential, a 10 s drain, 30-day retention, incidents kept', () => {
    const c = load({});
    expect(c.metricsToken).toBeNull();
    expect(c.metricsAddress).toBeNull();
    expect(c.shutdownTimeoutMs).toBe(10_000);
    expect(c.shutdownDelayMs).toBe(0);
    expect(c.deadLetterBodyBytes).toBe(256 * 1024);
    expect(c.retention).toEqual({
      deadLettersMs: 30 * 86_400_000,
      alertsMs: 30 * 86_400_000,
      alertEventsMs: 30 * 86_400_000,
      candidateGroupsMs: 7 * 86_400_000,
      incidentsMs: null,
      intervalMs: 3_600_000,
      batchSize: 500,
      maxBatches: 20,
    });
  });

  it('reads a metrics address as HOST:PORT, :PORT or [v6]:PORT', () => {
    expect(load({ INCIDENTD_METRICS_ADDRESS: '127.0.0.1:9464' }).metricsAddress).toEqual({
      host: '127.0.0.1',
      port: 9464,
    });
    expect(load({ INCIDENTD_METRICS_ADDRESS: ':9464' }).metricsAddress).toEqual({
      host: '0.0.0.0',
      port: 9464,
    });
    expect(load({ INCIDENTD_METRICS_ADDRESS: '[::1]:9464' }).metricsAddress).toEqual({
      host: '::1',
      port: 9464,
    });
    for (const bad of ['9464', 'localhost', '127.0.0.1:99999', '127.0.0.1:x'])
      expect(() => load({ INCIDENTD_METRICS_ADDRESS: bad }), bad).toThrow(/INCIDENTD_METRICS_ADDRESS/);
  });

  it('reads retention periods, off, and refuses periods under an hour', () => {
    const c = load({ INCIDENTD_RETAIN_INCIDENTS: '400d', INCIDENTD_RETAIN_DEAD_LETTERS: 'off' });
    expect(c.retention?.incidentsMs).toBe(400 * 86_400_000);
    expect(c.retention?.deadLettersMs).toBeNull();
    expect(() => load({ INCIDENTD_RETAIN_ALERTS: '5m' })).toThrow(/INCIDENTD_RETAIN_ALERTS/);
    expect(() => load({ INCIDENTD_RETENTION_BATCH: '0' })).toThrow(/INCIDENTD_RETENTION_BATCH/);
  });
});
