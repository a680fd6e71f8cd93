import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const ROOT = resolve(import.meta.dirname, '..');
const load = (env: Record<string, string>) => loadConfig(env, ROOT);

describe('Prometheus intake settings', () => {
  it('defaults: the Alertmanager API at the root only, resolve_timeout 5m', () => {
    const c = load({});
    expect(c.alertmanagerApiPrefix).toBe('');
    expect(c.prometheusResolveTimeoutMs).toBe(5 * 60_000);
  });

  it.each([
    ['/alertmanager', '/alertmanager'],
    ['alertmanager/', '/alertmanager'],
    ['//am//v1/', '/am/v1'],
    ['/', ''],
  ])('normalizes the prefix %j to %j', (raw, prefix) => {
    expect(load({ INCIDENTD_ALERTMANAGER_API_PREFIX: raw }).alertmanagerApiPrefix).toBe(prefix);
  });

  it('refuses a prefix that is not a plain path, and a timeout under a second', () => {
    expect(() => load({ INCIDENTD_ALERTMANAGER_API_PREFIX: '/a b' })).toThrow(
      'INCIDENTD_ALERTMANAGER_API_PREFIX: expected a path like /alertmanager, got "/a b"',
    );
    expect(() => load({ INCIDENTD_ALERTMANAGER_API_PREFIX: '/:param' })).toThrow(
      /INCIDENTD_ALERTMANAGER_API_PREFIX/,
    );
    expect(load({ INCIDENTD_PROMETHEUS_RESOLVE_TIMEOUT: '90s' }).prometheusResolveTimeoutMs).toBe(90_000);
    expect(() => load({ INCIDENTD_PROMETHEUS_RESOLVE_TIMEOUT: '500ms' })).toThrow(
      /INCIDENTD_PROMETHEUS_RESOLVE_TIMEOUT/,
    );
  });
});
