import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { openStore, type StoreHandle } from '../store/db.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { digest, readTokensFile, resolveTokens, tokensFile } from './tokens.ts';

describe('resolveTokens: where each token comes from', () => {
  let store: StoreHandle;
  const dir = mkdtempSync(join(tmpdir(), 'incidentd-tokens-'));
  const file = join(dir, 'tokens');

  beforeAll(async () => {
    store = await openStore({ databaseUrl: null, dataDir: 'memory://' });
    await migrateToLatest(store);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (env: { ingest: string | null; admin: string | null }) => {
    const lines: string[] = [];
    const tokens = await resolveTokens(
      store.db,
      env,
      createLogger('info', (l) => lines.push(l)),
      file,
    );
    return { tokens, lines };
  };

  it('generates on first start, prints once, writes the file 0600 with both variables', async () => {
    const { tokens, lines } = await run({ ingest: null, admin: 'chosen-admin' });
    expect(lines.some((l) => l.includes('generated ingest token'))).toBe(true);
    expect(lines.at(-1)).toMatch(/tokens ingest=generated admin=environment file=\S+tokens$/);
    const saved = readTokensFile(file);
    // The environment's token is never written down; the generated one matches the stored digest.
    expect(Object.keys(saved)).toEqual(['INCIDENTD_INGEST_TOKEN']);
    expect(digest(saved.INCIDENTD_INGEST_TOKEN!).equals(tokens.ingest)).toBe(true);
    expect(tokens.admin.equals(digest('chosen-admin'))).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('later starts say "stored", print nothing secret and keep the file', async () => {
    const before = readFileSync(file, 'utf8');
    const { lines } = await run({ ingest: null, admin: null });
    expect(lines.filter((l) => l.includes('token=')).length).toBe(1); // the admin one, generated now
    expect(lines.at(-1)).toMatch(/tokens ingest=stored admin=generated file=/);
    const saved = readTokensFile(file);
    expect(before).toContain(`INCIDENTD_INGEST_TOKEN=${saved.INCIDENTD_INGEST_TOKEN}`);
    expect(Object.keys(saved).sort()).toEqual(['INCIDENTD_ADMIN_TOKEN', 'INCIDENTD_INGEST_TOKEN']);
  });

  it('has no file for an in-memory store', () => {
    expect(tokensFile('memory://')).toBeNull();
    expect(tokensFile('/var/lib/incidentd')).toBe('/var/lib/incidentd/tokens');
  });
});
