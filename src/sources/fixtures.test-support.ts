import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Real sender payloads inside the repository (`test/fixtures/senders`), resolved from this file, not the cwd. */
export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../../test/fixtures/senders');

export function fixtureNames(sender: string): string[] {
  return readdirSync(path.join(FIXTURES_DIR, sender))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function readFixture(sender: string, name: string): unknown {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, sender, name), 'utf8'));
}

export const RECEIVED_AT = new Date('2026-11-23T04:00:00Z');
