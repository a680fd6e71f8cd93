import { expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer, createTestApp } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';
import { incidentEventRows } from './support/rows.ts';

// Event ids are one sequence for public and internal events: shown publicly, the gap between two public
// updates would count the internal notes, alerts and SLA events in between. Public update ids are opaque
// (an HMAC of the event id under a server secret kept in the store) and stable across rebuilds and restarts.

type Update = { id: string; incident_id: string; body: string };
type Incident = { id: string; incident_updates: Update[] };

describeEachDatabase('public update ids', ({ store }) => {
  it('reveal nothing about internal events and stay the same after a restart', async () => {
    const t = await createTestApp(store());
    const call = async (path: string, body: unknown) => {
      const res = await t.app.request(`/api/v1${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(ADMIN_TOKEN) },
        body: JSON.stringify(body),
      });
      expect(res.status, path).toBeLessThan(300);
      return (await res.json()) as { id: string };
    };
    const { id } = await call('/incidents', {
      title: 'Logins failing',
      severity: 'SEV3',
      components: ['api'],
    });
    await call(`/incidents/${id}/updates`, { status: 'investigating', message: 'Looking into it.' });
    for (const n of [1, 2, 3]) await call(`/incidents/${id}/notes`, { message: `internal note ${n}` });
    t.clock.advance(60_000);
    await call(`/incidents/${id}/updates`, { status: 'identified', message: 'Found it.' });
    await t.snapshots.flush();

    const publicIds = async (app = t.app) => {
      const res = await app.request('/api/v2/incidents.json');
      const body = (await res.json()) as { incidents: Incident[] };
      return body.incidents.find((i) => i.id === id)!.incident_updates.map((u) => u.id);
    };
    const ids = await publicIds();
    expect(ids).toHaveLength(2);
    const events = await incidentEventRows(store(), id);
    const posted = events.filter((e) => e.kind === 'update.posted').map((e) => String(e.id));
    expect(posted).toHaveLength(2);
    // Three notes (and more) between the two updates: nothing in the ids shows it.
    expect(Number(posted[1]) - Number(posted[0])).toBeGreaterThan(3);
    for (const publicId of ids) expect(publicId).toMatch(/^[0-9a-z]{12}$/);
    expect(new Set(ids).size).toBe(2);
    // Nor does any other public surface carry the internal ids.
    const surfaces = [`/incidents/${id}`, '/history.atom', '/api/v2/summary.json', '/'];
    for (const path of surfaces) {
      const text = await (await t.app.request(path)).text();
      for (const e of posted) expect(text, path).not.toContain(`${id}-${e}`);
      if (path.includes('.')) for (const publicId of ids) expect(text, path).toContain(publicId);
    }

    // A rebuilt snapshot, and a new process on the same store, give the same ids.
    await t.snapshots.rebuild();
    expect(await publicIds()).toEqual(ids);
    const restarted = await createTestApp(store(), { syncCatalog: false });
    await restarted.snapshots.rebuild();
    expect(await publicIds(restarted.app)).toEqual(ids);
  });
});
