import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../src/sources/fixtures.test-support.ts';

export interface Fixture {
  source: string;
  name: string;
  /** Raw bodies: one per file, or each element of a recorded delivery sequence. */
  bodies: string[];
  /** Alerts the sender put in the bodies. */
  alertCount: number;
}

export function loadFixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const source of readdirSync(FIXTURES_DIR, { withFileTypes: true })) {
    if (!source.isDirectory()) continue;
    for (const file of readdirSync(join(FIXTURES_DIR, source.name))
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const text = readFileSync(join(FIXTURES_DIR, source.name, file), 'utf8');
      const doc = JSON.parse(text) as unknown;
      const bodies = Array.isArray(doc) ? doc.map((d) => JSON.stringify(d)) : [text];
      const count = (d: unknown) =>
        d && typeof d === 'object' && Array.isArray((d as { alerts?: unknown[] }).alerts)
          ? (d as { alerts: unknown[] }).alerts.length
          : 1;
      const alertCount = Array.isArray(doc) ? doc.reduce((n: number, d) => n + count(d), 0) : count(doc);
      out.push({ source: source.name, name: file, bodies, alertCount });
    }
  }
  return out;
}
