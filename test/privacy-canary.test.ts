import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer } from '../src/http/server.ts';
import { STATUSPAGE_ROUTES } from '../src/publish/statuspage-json.ts';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN, testConfig } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';
import { alertmanagerBody } from './support/payloads.ts';

/**
 * Canary strings planted in every internal field (rule name, group key, alert labels and annotations, owner,
 * internal notes, customer ids and names) must never appear on a public route or the public WebSocket.
 */
const CANARY = {
  rule: 'CANARY-RULE-name',
  groupKey: 'CANARY-GROUPKEY-cluster',
  label: 'CANARY-LABEL-value',
  annotation: 'CANARY-ANNOTATION-text',
  alertname: 'CANARYALERTNAME',
  owner: 'CANARY-OWNER-alice',
  note: 'CANARY-NOTE-internal',
  viewerName: 'CANARY-CUSTOMER-NAME-viewer',
  otherName: 'CANARY-CUSTOMER-NAME-other',
  viewerId: 'canary-customer-id-viewer',
  otherId: 'canary-customer-id-other',
} as const;
/** What the viewer's own view may show: its own name and id (in its links), never another customer's. */
const OWN_VIEW_ALLOWED = new Set<string>([CANARY.viewerName, CANARY.viewerId]);

const rulesDir = mkdtempSync(join(tmpdir(), 'incidentd-canary-rules-'));
writeFileSync(
  join(rulesDir, '10-canary.yaml'),
  `rules:
  - name: ${CANARY.rule}
    match: 'labels.service == "canary-db"'
    group_by: [cluster]
    customer_label: tenant
    severity: SEV2
    components: [database]
    component_status: partial_outage
    title: Database connection errors
    publish: auto
    public_message: We are looking into database connection errors.
`,
);
afterAll(() => rmSync(rulesDir, { recursive: true, force: true }));

function leaks(text: string, allowed: ReadonlySet<string> = new Set()): string[] {
  const lower = text.toLowerCase();
  return Object.values(CANARY).filter((c) => !allowed.has(c) && lower.includes(c.toLowerCase()));
}

describeEachDatabase('privacy canaries on public surfaces', ({ store }) => {
  it('no internal field reaches any public route or the WebSocket', async () => {
    const base = testConfig();
    const t = await createTestApp(store(), {
      config: {
        rulesDir,
        catalog: {
          ...base.catalog,
          customers: [
            { id: CANARY.viewerId, name: CANARY.viewerName, tier: 'premium', access_key: 'viewer-key-123' },
            { id: CANARY.otherId, name: CANARY.otherName, tier: 'premium', access_key: 'other-key-456' },
          ],
        },
      },
    });
    await t.snapshots.get();
    const server = await startServer(t.app, { port: 0, host: '127.0.0.1', websocket: true });
    const messages: string[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
    ws.on('message', (data) => messages.push(String(data)));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    try {
      const alert = (tenant: string, status: 'firing' | 'resolved' = 'firing') => ({
        status,
        labels: {
          alertname: CANARY.alertname,
          service: 'canary-db',
          cluster: CANARY.groupKey,
          tenant,
          pod: CANARY.label,
        },
        annotations: { summary: CANARY.annotation, description: CANARY.annotation },
      });
      const res = await t.app.request('/webhooks/alertmanager', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
        body: alertmanagerBody([alert(CANARY.viewerId), alert(CANARY.otherId)]),
      });
      expect(res.status).toBe(200);
      const [id] = ((await res.json()) as { incidents: string[] }).incidents;
      expect(id).toBeDefined();
      // Internal fields written as the actions API would: owner on the row, a note as an internal event.
      await store().db.updateTable('incidents').set({ owner: CANARY.owner }).where('id', '=', id!).execute();
      await store()
        .db.insertInto('incident_events')
        .values([
          {
            incident_id: id!,
            at: t.clock.now(),
            kind: 'note.added',
            actor: CANARY.owner,
            visibility: 'internal',
            data: JSON.stringify({ message: CANARY.note }),
          },
          {
            incident_id: id!,
            at: t.clock.now(),
            kind: 'owner.assigned',
            actor: CANARY.owner,
            visibility: 'internal',
            data: JSON.stringify({ owner: CANARY.owner }),
          },
        ])
        .execute();
      t.bus.emit({ type: 'incident.changed', incidentId: id!, kinds: ['note.added'], public: true });
      await t.snapshots.flush();
      // Sanity: the incident is public and the planted values are in the store.
      const row = await store()
        .db.selectFrom('incidents')
        .selectAll()
        .where('id', '=', id!)
        .executeTakeFirstOrThrow();
      expect(row.published).toBe(true);
      expect(row.rule).toBe(CANARY.rule);
      expect(row.customers).toEqual([CANARY.viewerId, CANARY.otherId]);
      const stored = JSON.stringify(
        await store()
          .db.selectFrom('alerts')
          .select(['labels', 'annotations'])
          .where('incident_id', '=', id!)
          .execute(),
      );
      expect(leaks(stored)).toEqual(
        expect.arrayContaining([CANARY.label, CANARY.annotation, CANARY.groupKey]),
      );

      const viewer = `/customers/${CANARY.viewerId}`;
      const key = '?key=viewer-key-123';
      const publicPaths = [
        '/',
        `/incidents/${id}`,
        '/history.atom',
        '/static/live.js',
        ...Object.keys(STATUSPAGE_ROUTES).map((p) => `/api/v2/${p}`),
      ];
      const viewerPaths = [
        `${viewer}${key}`,
        `${viewer}/incidents/${id}${key}`,
        ...Object.keys(STATUSPAGE_ROUTES).map((p) => `${viewer}/api/v2/${p}${key}`),
      ];
      let checked = 0;
      for (const [paths, allowed] of [
        [publicPaths, new Set<string>()],
        [viewerPaths, OWN_VIEW_ALLOWED],
      ] as const) {
        for (const path of paths) {
          const r = await t.app.request(path);
          expect(r.status, path).toBe(200);
          const text = `${[...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${await r.text()}`;
          expect(leaks(text, allowed), path).toEqual([]);
          checked++;
        }
      }
      expect(checked).toBe(publicPaths.length + viewerPaths.length);
      // The incident is really there (the routes were not trivially empty).
      expect(await (await t.app.request(`/incidents/${id}`)).text()).toContain('Database connection errors');
      expect(await (await t.app.request(`${viewer}${key}`)).text()).toContain('Affects you');

      // Resolve it through the alerts: the WebSocket sees several changes.
      const resolved = await t.app.request('/webhooks/alertmanager', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
        body: alertmanagerBody([alert(CANARY.viewerId, 'resolved'), alert(CANARY.otherId, 'resolved')]),
      });
      expect(resolved.status).toBe(200);
      await t.snapshots.flush();
      await expect.poll(() => messages.length).toBeGreaterThanOrEqual(2);
      expect(leaks(messages.join('\n'))).toEqual([]);
      // Admin routes, for contrast, do show internal fields: the canaries are live.
      const admin = await t.app.request('/api/v1/alerts?limit=10', { headers: bearer(ADMIN_TOKEN) });
      expect(leaks(await admin.text())).toContain(CANARY.label);
    } finally {
      ws.close();
      t.hub.closeAll();
      await server.close(1000);
    }
  });
});
