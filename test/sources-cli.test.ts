import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sourcesCommand } from '../src/sources-cli.ts';

function capture() {
  let text = '';
  return { stream: { write: (s: string) => (text += s) }, text: () => text };
}

const CATALOG = `
components: [{ id: api, name: API }]
sources:
  - name: uptime-kuma
    fingerprint: 'string(body.monitor.id)'
    status: 'body.heartbeat.status == 0'
    title: 'body.msg'
    labels: { alertname: '"MonitorDown"', monitor: 'body.monitor.name' }
  - name: cron
    items: 'body.jobs'
    status: 'item.ok ? "resolved" : "firing"'
    labels: { job: 'item.name', host: 'body.host' }
`;

describe('incidentd sources test', () => {
  let dir = '';
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const run = async (...args: string[]) => {
    const out = capture();
    const err = capture();
    const code = await sourcesCommand(args, out.stream, err.stream);
    return { code, out: out.text(), err: err.text() };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sources-cli-'));
    vi.stubEnv('INCIDENTD_CONFIG', file('incidentd.yaml', CATALOG));
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  const kuma = JSON.stringify({
    heartbeat: { status: 0, msg: 'timeout' },
    monitor: { id: 7, name: 'shop' },
    msg: '[shop] [Down] timeout',
  });

  it('prints the normalized alerts as JSON and exits 0', async () => {
    const r = await run('test', 'uptime-kuma', file('kuma.json', kuma));
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(r.out)).toEqual([
      {
        source: 'custom/uptime-kuma',
        fingerprint: '7',
        status: 'firing',
        title: '[shop] [Down] timeout',
        labels: { alertname: 'MonitorDown', monitor: 'shop' },
        annotations: {},
      },
    ]);
  });

  it('prints a table with --table, one row per item', async () => {
    const body = JSON.stringify({
      host: 'h1',
      jobs: [
        { name: 'backup', ok: false },
        { name: 'vacuum', ok: true },
      ],
    });
    const r = await run('test', 'cron', file('cron.json', body), '--table');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^STATUS\s+FINGERPRINT\s+TITLE\s+LABELS$/);
    expect(lines[1]).toMatch(/^firing\s+[0-9a-f]{16}\s+custom\/cron\s+job=backup host=h1$/);
    expect(lines[2]).toMatch(/^resolved\s+[0-9a-f]{16}\s+custom\/cron\s+job=vacuum host=h1$/);
  });

  it('reads a form body with --form, and built-in sources too', async () => {
    const form = file('kuma.form', `payload=${encodeURIComponent(kuma)}`);
    const r = await run('test', 'uptime-kuma', form, '--form');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)[0]).toMatchObject({ fingerprint: '7' });
    const dd = await run(
      'test',
      'datadog',
      file('dd.json', '{"alert_id":"42","alert_transition":"Recovered"}'),
    );
    expect(dd.code).toBe(0);
    expect(JSON.parse(dd.out)[0]).toMatchObject({ source: 'datadog', status: 'resolved' });
  });

  it('exits 1 with the error for a bad body, an unknown source or an unreadable file', async () => {
    const bad = await run('test', 'uptime-kuma', file('bad.json', '{"heartbeat":{"status":0}}'));
    expect(bad).toMatchObject({ code: 1, out: '' });
    expect(bad.err).toBe(
      `${join(dir, 'bad.json')}: labels.monitor: No such key: monitor (in body.monitor.name)\n`,
    );
    const notJson = await run('test', 'cron', file('nj.json', '{'));
    expect(notJson.code).toBe(1);
    expect(notJson.err).toMatch(/nj\.json: body: invalid JSON/);
    const unknown = await run('test', 'nope', join(dir, 'kuma.json'));
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/no source "nope" in .*incidentd\.yaml \(sources: uptime-kuma, cron\)/);
    expect((await run('test', 'cron', join(dir, 'missing.json'))).err).toMatch(/cannot read \(ENOENT\)/);
  });

  it('exits 1 on a catalog error and 2 on a usage error', async () => {
    vi.stubEnv('INCIDENTD_CONFIG', file('broken.yaml', 'sources: [{ name: x, status: "body.s ==" }]\n'));
    const r = await run('test', 'x', join(dir, 'kuma.json'));
    vi.stubEnv('INCIDENTD_CONFIG', join(dir, 'incidentd.yaml'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/broken\.yaml: sources\[0\]\.status: CEL syntax error/);
    expect((await run('test', 'cron')).code).toBe(2);
    expect((await run('check', 'cron', 'x.json')).code).toBe(2);
    expect((await run('test', 'cron', 'x.json', '--yaml')).err).toMatch(/^usage: incidentd sources test/);
  });
});
