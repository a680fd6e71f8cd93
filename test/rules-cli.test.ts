import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../src/logger.ts';
import { createRulesReloader } from '../src/pipeline/rules-reloader.ts';
import { rulesCommand } from '../src/rules-cli.ts';
import { createMetrics } from '../src/telemetry/metrics.ts';
import { ROOT } from './support/app.ts';

function capture() {
  let text = '';
  const write = (s: string) => {
    text += s;
  };
  return { stream: { write }, text: () => text };
}

describe('incidentd rules', () => {
  it('check passes the sample rules', async () => {
    const out = capture();
    expect(await rulesCommand(['check', join(ROOT, 'rules')], out.stream, capture().stream)).toBe(0);
    expect(out.text()).toMatch(/\d+ rules OK/);
  });

  it('check prints one FILE:LINE: line per mistake and exits 1', async () => {
    const err = capture();
    expect(
      await rulesCommand(['check', join(ROOT, 'test/fixtures/bad-rules')], capture().stream, err.stream),
    ).toBe(1);
    const lines = err.text().trim().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/^[^:]+\.yaml:\d+(:\d+)?: /);
  });

  it('test runs the shipped rule tests', async () => {
    const out = capture();
    const files = ['data.test.yaml', 'edge.test.yaml'].map((f) => join(ROOT, 'rules/tests', f));
    expect(await rulesCommand(['test', ...files], out.stream, capture().stream)).toBe(0);
    expect(out.text()).toMatch(/\d+ passed, 0 failed/);
  });

  it('test fails with a readable diff when an expectation is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-test-'));
    try {
      cpSync(join(ROOT, 'rules/10-data.yaml'), join(dir, '10-data.yaml'));
      writeFileSync(
        join(dir, 'wrong.test.yaml'),
        `rule_files: [10-data.yaml]
tests:
  - name: expects the wrong severity
    alerts:
      - { at: 0m, labels: { alertname: PostgresDown, service: postgres, severity: critical, region: r1, customer: acme } }
    expect:
      - { title: Database outage in r1, severity: SEV1, customers: [acme], state: open }
`,
      );
      const err = capture();
      expect(await rulesCommand(['test', join(dir, 'wrong.test.yaml')], capture().stream, err.stream)).toBe(
        1,
      );
      expect(err.text()).toMatch(/severity: expected "SEV1", got "SEV2"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rules hot reload', () => {
  it('keeps the last good rule set when the directory turns invalid, and counts the error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    try {
      cpSync(join(ROOT, 'rules/10-data.yaml'), join(dir, '10-data.yaml'));
      const metrics = createMetrics(new Registry());
      const reloader = createRulesReloader({
        dir,
        componentIds: new Set(['database', 'object-storage']),
        log: silentLogger,
        metrics,
      });
      expect(reloader.reload()).toBe(true);
      const good = reloader.current();
      expect(good?.rules.length).toBe(2);
      writeFileSync(join(dir, '20-bad.yaml'), 'rules:\n  - name: x\n    match: "labels.a =="\n');
      expect(reloader.reload()).toBe(false);
      expect(reloader.current()).toBe(good);
      expect(await metrics.registry.getSingleMetricAsString('incidentd_rules_reload_errors_total')).toMatch(
        / 1$/m,
      );
      expect(await metrics.registry.getSingleMetricAsString('incidentd_rules_loaded')).toMatch(/ 2$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rules hot reload of a replaced directory', () => {
  const componentIds = new Set(['database', 'object-storage', 'api', 'edge', 'compute', 'dashboard', 'cdn']);

  async function replaced(replace: (dir: string, parent: string) => void) {
    const parent = mkdtempSync(join(tmpdir(), 'rules-parent-'));
    const dir = join(parent, 'rules');
    mkdirSync(dir);
    cpSync(join(ROOT, 'rules/10-data.yaml'), join(dir, '10-data.yaml'));
    const reloader = createRulesReloader({
      dir,
      componentIds,
      log: silentLogger,
      metrics: createMetrics(new Registry()),
      settleMs: 20,
    });
    try {
      expect(reloader.reload()).toBe(true);
      expect(reloader.current()?.rules.map((r) => r.name)).toHaveLength(2);
      reloader.watch();
      replace(dir, parent);
      // Let every reload the replacement itself triggers pass (250 ms is the default settle time).
      await new Promise((r) => setTimeout(r, 400));
      // A change inside the new directory must still be seen.
      writeFileSync(
        join(dir, '50-more.yaml'),
        'rules:\n  - name: later\n    match: \'labels.alertname == "Later"\'\n    severity: SEV4\n    title: Later\n',
      );
      await vi.waitFor(() => expect(reloader.current()?.rules.map((r) => r.name)).toContain('later'), {
        timeout: 3000,
        interval: 20,
      });
    } finally {
      reloader.close();
      rmSync(parent, { recursive: true, force: true });
    }
  }

  it('keeps reloading after `mv rules old && cp -r old rules`', async () => {
    await replaced((dir, parent) => {
      renameSync(dir, join(parent, 'old'));
      cpSync(join(parent, 'old'), dir, { recursive: true });
    });
  });

  it('keeps reloading after the directory is deleted and created again', async () => {
    await replaced((dir) => {
      rmSync(dir, { recursive: true });
      mkdirSync(dir);
      cpSync(join(ROOT, 'rules/10-data.yaml'), join(dir, '10-data.yaml'));
    });
  });
});
