import fc from 'fast-check';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';
import { type AmAlertSpec, alertmanagerBody } from './support/payloads.ts';

/** One alert's life as Alertmanager reports it: fire, resolve, fire again… each occurrence 10 minutes apart. */
function lifeOf(fingerprint: string, steps: number): AmAlertSpec[] {
  const out: AmAlertSpec[] = [];
  for (let i = 0; i < steps; i++) {
    const start = new Date(Date.UTC(2026, 10, 1, 8, Math.floor(i / 2) * 10)).toISOString();
    const end = new Date(Date.UTC(2026, 10, 1, 8, Math.floor(i / 2) * 10 + 5)).toISOString();
    const labels = { alertname: 'Prop', instance: fingerprint };
    out.push(
      i % 2 === 0
        ? { labels, fingerprint, startsAt: start }
        : { labels, fingerprint, status: 'resolved', startsAt: start, endsAt: end },
    );
  }
  return out;
}

describeEachDatabase('ingest property', ({ store }) => {
  it('random payloads delivered in random order, with duplicates, store the state of one in-order delivery', async () => {
    const { app } = await createTestApp(store());
    let run = 0;
    const deliver = (body: string) =>
      app.request('/webhooks/alertmanager', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
        body,
      });
    const state = async (prefix: string) =>
      (
        await sql<{ fp: string; status: string; starts_at: Date; ends_at: Date | null }>`
          select substr(fingerprint, ${prefix.length + 1}) as fp, status, starts_at, ends_at
          from alerts where fingerprint like ${`${prefix}%`} order by fingerprint`.execute(store().db)
      ).rows;

    await fc.assert(
      fc.asyncProperty(
        // 1..4 alerts, each with 1..5 state changes, batched into webhooks of 1..3 consecutive payload entries.
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.infiniteStream(fc.nat()),
        async (lives, batch, dupes, order) => {
          run++;
          const bodiesFor = (prefix: string) => {
            const events = lives.flatMap((steps, i) =>
              lifeOf(`${prefix}${i}`, steps).map((a, step) => ({ a, step })),
            );
            // In-order: step by step across alerts, as a sender would report them over time.
            events.sort((x, y) => x.step - y.step);
            const bodies: string[] = [];
            for (let i = 0; i < events.length; i += batch) {
              bodies.push(alertmanagerBody(events.slice(i, i + batch).map((e) => e.a)));
            }
            return bodies;
          };
          const ordered = `p${run}o`;
          for (const body of bodiesFor(ordered)) expect((await deliver(body)).status).toBe(200);

          const shuffledPrefix = `p${run}s`;
          const bodies = bodiesFor(shuffledPrefix);
          const deliveries = [...bodies, ...dupes.map((d) => bodies[d % bodies.length]!)];
          const it = order[Symbol.iterator]();
          for (let i = deliveries.length - 1; i > 0; i--) {
            const j = it.next().value! % (i + 1);
            [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
          }
          for (const body of deliveries) expect((await deliver(body)).status).toBe(200);

          expect(await state(shuffledPrefix)).toEqual(await state(ordered));
        },
      ),
      { numRuns: 40 },
    );
  });
});
