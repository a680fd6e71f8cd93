import { describe, expect, it } from 'vitest';
import { ConfigError } from './catalog.ts';
import { loadConfig } from './config.ts';
import { DEFAULT_INGEST_LIMITS } from './core/ingest-limits.ts';

const base = { INCIDENTD_CONFIG: 'incidentd.yaml' };

describe('ingest limits from the environment', () => {
  it('defaults, and each variable overrides its limit', () => {
    expect(loadConfig(base).limits).toEqual(DEFAULT_INGEST_LIMITS);
    expect(
      loadConfig({
        ...base,
        INCIDENTD_MAX_ALERTS_PER_BODY: '100000',
        INCIDENTD_MAX_LABELS_PER_ALERT: '64',
        INCIDENTD_MAX_LABEL_NAME_BYTES: '256',
        INCIDENTD_MAX_LABEL_VALUE_BYTES: '2048',
      }).limits,
    ).toEqual({
      maxAlertsPerBody: 100_000,
      maxLabelsPerAlert: 64,
      maxLabelNameBytes: 256,
      maxLabelValueBytes: 2_048,
    });
  });

  it('refuses what is not a whole number of at least 1, naming the variable', () => {
    expect(() => loadConfig({ ...base, INCIDENTD_MAX_LABELS_PER_ALERT: 'many' })).toThrow(
      new ConfigError('INCIDENTD_MAX_LABELS_PER_ALERT: expected a whole number, got "many"'),
    );
    expect(() => loadConfig({ ...base, INCIDENTD_MAX_ALERTS_PER_BODY: '0' })).toThrow(
      'INCIDENTD_MAX_ALERTS_PER_BODY: expected at least 1, got "0"',
    );
  });
});
