import { describe, expect, it } from 'vitest';
import { atomFeed } from './atom-feed.ts';
import { CANARIES, FIXTURE_NOW, fixtureInput } from './status-snapshot.fixture.ts';
import { buildStatusSnapshot } from './status-snapshot.ts';

/** Minimal well-formedness check: every tag closes in order and only known entities are used. */
function assertWellFormed(doc: string): void {
  const body = doc.replace(/^<\?xml[^?]*\?>/, '');
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)([^>]*?)(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (close) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  const text = body.replace(/<[^>]*>/g, '');
  expect(text).not.toMatch(/[<>]/);
  expect(text.match(/&[^;\s]*;?/g)?.filter((e) => !/^&(amp|lt|gt|quot|apos);$/.test(e)) ?? []).toEqual([]);
}

describe('atomFeed', () => {
  const s = buildStatusSnapshot(fixtureInput(), FIXTURE_NOW);
  const feed = atomFeed(s);

  it('is a well-formed Atom 1.0 feed with the required elements', () => {
    assertWellFormed(feed);
    expect(feed).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
    expect(feed).toContain('<id>https://status.example.com/history.atom</id>');
    expect(feed).toContain('<updated>2026-04-10T10:00:00.000Z</updated>');
    expect(feed).toMatch(/<author><name>Acme Cloud Status<\/name><\/author>/);
  });

  it('has one entry per public incident and maintenance update, newest first', () => {
    const ids = [...feed.matchAll(/<id>[^<]*#update-([^<]+)<\/id>/g)].map((m) => m[1]);
    expect(ids).toEqual([
      'mnt-now-scheduled',
      'u2',
      'u1',
      'o3',
      'o2',
      'o1',
      'mnt-done-scheduled',
      'mnt-next-scheduled',
    ]);
    expect(feed).toContain(
      '<id>https://status.example.com/maintenances/mnt-now#update-mnt-now-scheduled</id>',
    );
    expect(feed).toContain('<title>DNS provider migration: Scheduled</title>');
  });

  it('escapes titles and messages and leaks nothing internal', () => {
    expect(feed).not.toContain('<script>');
    expect(feed).not.toContain('<img');
    expect(feed).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(feed).toContain('&amp; friends');
    for (const c of CANARIES) expect(feed).not.toContain(c);
  });

  it('drops characters XML cannot carry', () => {
    const input = fixtureInput();
    input.incidents[0]!.updates[0]!.message = 'bad\u0001char\uD800';
    assertWellFormed(atomFeed(buildStatusSnapshot(input, FIXTURE_NOW)));
    expect(atomFeed(buildStatusSnapshot(input, FIXTURE_NOW))).toContain('badchar<');
  });
});
