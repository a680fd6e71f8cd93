import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboards, render } from '../dashboards/src/index.ts';
import type { StoreHandle } from '../src/store/db.ts';
import { ADMIN_TOKEN, bearer, createTestApp, ROOT } from './support/app.ts';
import { createTestStore } from './support/databases.ts';

const DIR = join(ROOT, 'dashboards');
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template
const VARIABLE_UID = '${datasource}';
const files = Object.keys(dashboards);

interface Json {
  [key: string]: unknown;
}
const committed = (file: string) => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Json;

/** Every panel, rows' nested panels included. */
function allPanels(d: Json): Json[] {
  const top = (d.panels ?? []) as Json[];
  return top.flatMap((p) => [p, ...((p.panels ?? []) as Json[])]);
}

const targetsOf = (d: Json) => allPanels(d).flatMap((p) => (p.targets ?? []) as Json[]);
const exprsOf = (d: Json) => targetsOf(d).map((t) => String(t.expr ?? ''));

/** The metric names a PromQL expression reads; histogram series map to their family. */
function metricNames(expr: string): string[] {
  const names = expr.match(/\b(incidentd_[a-z_]+|process_[a-z_]+|nodejs_[a-z_]+)\b/g) ?? [];
  return names.map((n) => n.replace(/_(bucket|sum|count)$/, ''));
}

describe('dashboards', () => {
  it('are the three expected files', () => {
    expect(files.sort()).toEqual(['customer-sla.json', 'incident-kpis.json', 'incidentd-service.json']);
  });

  it.each(files)('%s is exactly what the builders produce (run `npx tsx dashboards/build.ts`)', (file) => {
    const built = render(dashboards[file]!());
    expect(readFileSync(join(DIR, file), 'utf8')).toBe(built);
    // And building is deterministic.
    expect(render(dashboards[file]!())).toBe(built);
  });

  it.each(files)('%s is importable anywhere: datasource variable, no hard-coded datasource', (file) => {
    const d = committed(file);
    expect(d.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(d.tags).toEqual(['incidentd']);
    expect(typeof d.uid).toBe('string');
    const variables = (d.templating as { list: Json[] }).list;
    expect(variables.find((v) => v.name === 'datasource')).toMatchObject({
      type: 'datasource',
      query: 'prometheus',
    });
    const refs = [
      ...allPanels(d).filter((p) => p.type !== 'row'),
      ...targetsOf(d),
      ...variables.filter((v) => v.type === 'query'),
    ].map((x) => x.datasource as Json | undefined);
    for (const ref of refs) expect(ref).toEqual({ type: 'prometheus', uid: VARIABLE_UID });
    // Nothing anywhere names a datasource uid other than the variable.
    const uids = [...JSON.stringify(d).matchAll(/"uid":\s*"([^"]*)"/g)].map((m) => m[1]);
    expect(new Set(uids)).toEqual(new Set([d.uid, VARIABLE_UID]));
  });

  it.each(files)('%s has unique panel ids and a grid position on every panel', (file) => {
    const panels = allPanels(committed(file));
    expect(panels.length).toBeGreaterThan(5);
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => typeof id === 'number' && id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      const pos = p.gridPos as Record<string, number>;
      expect(pos, String(p.title)).toBeDefined();
      for (const k of ['x', 'y', 'w', 'h']) expect(typeof pos[k], `${p.title} gridPos.${k}`).toBe('number');
      expect(pos.x! + pos.w!, String(p.title)).toBeLessThanOrEqual(24);
    }
    for (const p of panels.filter((p) => p.type !== 'row')) {
      expect((p.targets as Json[]).length, String(p.title)).toBeGreaterThan(0);
    }
  });

  it('the Customer SLA dashboard filters by a customer variable', () => {
    const d = committed('customer-sla.json');
    const customer = (d.templating as { list: Json[] }).list.find((v) => v.name === 'customer');
    expect(customer).toMatchObject({
      type: 'query',
      query: 'label_values(incidentd_sla_breaches_total, customer)',
    });
    expect(exprsOf(d).filter((e) => e.includes('$customer')).length).toBeGreaterThan(3);
  });
});

describe('every metric the dashboards query is exposed by /metrics', () => {
  let store: StoreHandle;
  let exposed: Set<string>;

  beforeAll(async () => {
    store = await createTestStore('pglite');
    const { app } = await createTestApp(store, { defaultMetrics: true });
    const res = await app.request('/metrics', { headers: bearer(ADMIN_TOKEN) });
    expect(res.status).toBe(200);
    const text = await res.text();
    // A family is exposed once it has a TYPE line, samples or not (labelled counters start empty).
    exposed = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  });
  afterAll(async () => {
    await store.close();
  });

  it.each(files)('%s', (file) => {
    const used = new Set(exprsOf(committed(file)).flatMap(metricNames));
    expect(used.size).toBeGreaterThan(0);
    expect([...used].filter((name) => !exposed.has(name))).toEqual([]);
  });

  it('the dashboards together cover every incidentd metric', () => {
    const used = new Set(files.flatMap((f) => exprsOf(committed(f)).flatMap(metricNames)));
    expect([...exposed].filter((n) => n.startsWith('incidentd_') && !used.has(n))).toEqual([]);
  });
});
