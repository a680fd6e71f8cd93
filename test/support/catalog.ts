import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { type Catalog, parseCatalog } from '../../src/catalog.ts';
import { ROOT } from './app.ts';

/** The sample catalog with other notification targets (and any other top-level keys replaced). */
export function sampleCatalogWith(overrides: Record<string, unknown>): Catalog {
  const doc = parse(readFileSync(resolve(ROOT, 'incidentd.yaml'), 'utf8')) as Record<string, unknown>;
  return parseCatalog({ ...doc, ...overrides }, 'test-incidentd.yaml');
}
