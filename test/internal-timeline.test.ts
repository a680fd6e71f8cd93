import { expect, it } from 'vitest';
import type { IncidentEvent } from '../src/core/incident.ts';
import { insertEvents } from '../src/store/incidents.ts';
import { ADMIN_TOKEN, bearer, createTestApp } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';

// The internal timeline and console read models over a real store: bursts of alert events collapse, long
// timelines page by cursor without JavaScript, filters and order links work, the console sorts by severity
// then age and highlights overdue updates.

type App = Awaited<ReturnType<typeof createTestApp>>['app'];
const auth = bearer(ADMIN_TOKEN);

async function declare(app: App, body: Record<string, unknown>): Promise<{ id: string; opened_at: string }> {
  const res = await app.request('/api/v1/incidents', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; opened_at: string };
}

/** Top-level timeline rows (`<li id="event-N"`), in page order, and their kinds. */
function rowsOf(html: string): { id: number; kind: string }[] {
  return [...html.matchAll(/<li id="event-(\d+)" class="event[^"]*" data-kind="([^"]+)"/g)].map((m) => ({
    id: Number(m[1]),
    kind: m[2]!,
  }));
}

const moreLink = (html: string) =>
  /<a href="([^"]+)" rel="next">Show more<\/a>/.exec(html)?.[1]?.replaceAll('&amp;', '&');

describeEachDatabase('internal timeline and console', ({ store }) => {
  it('renders 10,000 alert events as bursts, and one 10,000-alert burst as one row', async () => {
    const { app, clock } = await createTestApp(store());
    const spread = await declare(app, { title: 'Alert storm', severity: 'SEV2' });
    const instant = await declare(app, { title: 'One burst', severity: 'SEV2' });
    const start = clock.now().getTime() + 1000;
    const events = (incidentId: string, stepMs: number): IncidentEvent[] =>
      Array.from({ length: 10_000 }, (_, n) => ({
        incidentId,
        at: new Date(start + n * stepMs),
        kind: 'alert.attached',
        actor: 'rule:test',
        visibility: 'internal',
        data: { alertId: `a-${n}`, fingerprint: `f${n}`, alertname: `Alert${n % 7}` },
      }));
    await store()
      .db.transaction()
      .execute(async (trx) => {
        for (const [id, step] of [
          [spread.id, 100],
          [instant.id, 0],
        ] as const) {
          const all = events(id, step);
          for (let i = 0; i < all.length; i += 2000) await insertEvents(trx, all.slice(i, i + 2000));
        }
      });

    const res = await app.request(`/internal/incidents/${spread.id}`, { headers: auth });
    expect(res.status).toBe(200);
    const html = await res.text();
    const rows = rowsOf(html);
    // opened + bursts of at most 61 s of events 100 ms apart (601 each): 17 bursts.
    expect(rows[0]!.kind).toBe('opened');
    expect(rows.slice(1).every((r) => r.kind === 'alert.burst')).toBe(true);
    const counts = [...html.matchAll(/<strong>([\d,]+) alerts attached<\/strong>/g)].map((m) =>
      Number(m[1]!.replaceAll(',', '')),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(counts.length).toBe(17);
    expect(moreLink(html)).toBeUndefined();
    expect(html).toContain('<details class="burst"');

    const one = await (await app.request(`/internal/incidents/${instant.id}`, { headers: auth })).text();
    expect(rowsOf(one).map((r) => r.kind)).toEqual(['opened', 'alert.burst']);
    expect(one).toContain('<strong>10,000 alerts attached</strong>');
    expect(one).toContain('and 9980 more');
    // The review draft groups the same way.
    const md = await (
      await app.request(`/api/v1/incidents/${instant.id}/review.md`, { headers: auth })
    ).text();
    expect(md).toContain('**10,000 alerts attached**');
  });

  it('pages a long timeline by cursor (no JavaScript needed), both orders, with kind filters', async () => {
    const { app, clock } = await createTestApp(store());
    const { id } = await declare(app, { title: 'Chatty', severity: 'SEV3' });
    const start = clock.now().getTime();
    const notes: IncidentEvent[] = Array.from({ length: 1_200 }, (_, n) => ({
      incidentId: id,
      at: new Date(start + (n + 1) * 60_000),
      kind: 'note.added',
      actor: 'bob',
      visibility: 'internal',
      data: { message: `note ${n}` },
    }));
    await store()
      .db.transaction()
      .execute(async (trx) => {
        for (let i = 0; i < notes.length; i += 600) await insertEvents(trx, notes.slice(i, i + 600));
      });

    const seen: number[] = [];
    let url: string | undefined = `/internal/incidents/${id}`;
    const pageSizes: number[] = [];
    while (url) {
      const html: string = await (await app.request(url, { headers: auth })).text();
      const rows = rowsOf(html);
      pageSizes.push(rows.length);
      seen.push(...rows.map((r) => r.id));
      url = moreLink(html);
    }
    expect(pageSizes).toEqual([500, 500, 201]);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(1_201);

    const newest = await (
      await app.request(`/internal/incidents/${id}?order=newest`, { headers: auth })
    ).text();
    const newestRows = rowsOf(newest);
    expect(newestRows[0]!.id).toBe(Math.max(...seen));
    expect(newestRows).toHaveLength(500);
    expect(moreLink(newest)).toMatch(/order=newest&before=\d+/);
    expect(newest).not.toContain('Back to the start');
    const older = await (await app.request(moreLink(newest)!, { headers: auth })).text();
    expect(rowsOf(older)[0]!.id).toBe(newestRows.at(-1)!.id - 1);
    expect(older).toContain('Back to the start');

    const filtered = await (
      await app.request(`/internal/incidents/${id}?kind=lifecycle`, { headers: auth })
    ).text();
    expect(rowsOf(filtered).map((r) => r.kind)).toEqual(['opened']);
    expect(filtered).toContain(`href="/internal/incidents/${id}?kind=notes"`);
    const none = await (await app.request(`/internal/incidents/${id}?kind=alerts`, { headers: auth })).text();
    expect(rowsOf(none)).toEqual([]);
    expect(none).toContain('No alerts events.');
    // Unknown filters and bad cursors are ignored rather than failing the page.
    expect(
      (await app.request(`/internal/incidents/${id}?kind=bogus&after=xyz`, { headers: auth })).status,
    ).toBe(200);
  });

  it('console: open incidents by severity then age, overdue updates highlighted, recently resolved listed', async () => {
    const { app, clock, runJobs } = await createTestApp(store());
    const sev3 = await declare(app, { title: 'Old SEV3', severity: 'SEV3' });
    clock.advance(60_000);
    const sev1old = await declare(app, {
      title: 'Old SEV1',
      severity: 'SEV1',
      customers: ['acme'],
      message: 'Investigating',
      next_update_in: '10m',
    });
    clock.advance(60_000);
    const sev2 = await declare(app, { title: 'SEV2', severity: 'SEV2' });
    clock.advance(60_000);
    const sev1new = await declare(app, { title: 'New SEV1', severity: 'SEV1' });
    const done = await declare(app, { title: 'Done already', severity: 'SEV4' });
    await app.request(`/api/v1/incidents/${done.id}/resolve`, { method: 'POST', headers: auth });
    clock.advance(15 * 60_000);
    await runJobs();

    const html = await (await app.request('/internal', { headers: auth })).text();
    // The store is shared with the tests above: look at this test's incidents only.
    const mine = new Set([sev3.id, sev1old.id, sev2.id, sev1new.id]);
    const order = [...html.matchAll(/<tr id="incident-([^"]+)" class="([^"]+)"/g)]
      .map((m) => [m[1], m[2]])
      .filter((o) => mine.has(o[0]!));
    expect(order.map((o) => o[0])).toEqual([sev1old.id, sev1new.id, sev2.id, sev3.id]);
    // The published SEV1 promised an update within 10 minutes: it is overdue now.
    expect(order[0]![1]).toContain('overdue');
    expect(order.slice(1).every((o) => !o[1]!.includes('overdue'))).toBe(true);
    expect(html).toContain('Update overdue');
    expect(html).toMatch(/data-countdown[^>]*>overdue by /);
    const resolvedSection = html.slice(html.indexOf('Recently resolved'));
    expect(resolvedSection).toContain('Done already');
    expect(html).toMatch(/<span class="tile-n">\d+<\/span> open incidents/);
  });
});
