import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadCatalog, parseCatalog } from './catalog.ts';

describe('catalog', () => {
  it('loads the sample incidentd.yaml', () => {
    const catalog = loadCatalog(resolve(import.meta.dirname, '../incidentd.yaml'));
    expect(catalog.components.length).toBeGreaterThanOrEqual(6);
    expect(new Set(catalog.customers.map((c) => c.tier)).size).toBeGreaterThanOrEqual(2);
    expect(catalog.sla_policies.premium?.SEV1?.acknowledge).toBe(5 * 60_000);
  });

  it('names the file, the path and the reason of an unknown key', () => {
    const doc = {
      components: [
        { id: 'api', name: 'API' },
        { id: 'db', name: 'DB' },
        { id: 'x', name: 'X', grup: 'G' },
      ],
    };
    expect(() => parseCatalog(doc, 'incidentd.yaml')).toThrow(
      'incidentd.yaml: components[2].grup: unknown key',
    );
  });

  it('reports a bad duration and an unknown severity', () => {
    const doc = {
      sla_policies: {
        premium: { SEV1: { acknowledge: '5 minutes', owner: '15m', update_every: '30m', resolve: '4h' } },
      },
    };
    expect(() => parseCatalog(doc, 'c.yaml')).toThrow(
      /c\.yaml: sla_policies\.premium\.SEV1\.acknowledge: invalid duration/,
    );
  });

  it('rejects duplicate component ids', () => {
    const doc = {
      components: [
        { id: 'api', name: 'A' },
        { id: 'api', name: 'B' },
      ],
    };
    expect(() => parseCatalog(doc, 'c.yaml')).toThrow(ConfigError);
  });

  it('reports a missing file in one line', () => {
    expect(() => loadCatalog('/nonexistent/incidentd.yaml')).toThrow(
      '/nonexistent/incidentd.yaml: cannot read catalog (ENOENT)',
    );
  });
});
