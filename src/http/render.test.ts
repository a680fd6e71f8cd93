import { describe, expect, it } from 'vitest';
import { atomFeed } from '../publish/atom-feed.ts';
import { CANARIES, FIXTURE_NOW, fixtureInput } from '../publish/status-snapshot.fixture.ts';
import { buildStatusSnapshot } from '../publish/status-snapshot.ts';
import { STATUSPAGE_ROUTES } from '../publish/statuspage-json.ts';
import { renderIncidentPage, renderStatusPage } from './render.ts';
import { incidentPageView } from './view-models/incident-page.ts';
import { statusPageView } from './view-models/status-page.ts';

const s = buildStatusSnapshot(fixtureInput(), FIXTURE_NOW);

describe('status page', () => {
  const html = renderStatusPage(statusPageView(s));

  it('shows the banner, groups, components with status and 90 bars each', () => {
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Major Service Outage');
    for (const name of ['Platform', 'Data', 'Public API', 'Dashboard', 'Managed Databases', 'DNS']) {
      expect(html).toContain(name);
    }
    expect(html.match(/class="bar tone-/g)).toHaveLength(4 * 90);
    expect(html).toMatch(/id="component-database"[\s\S]*?Major outage/);
    expect(html).toContain('Under maintenance');
    expect(html).toContain(`data-version="${s.version}"`);
  });

  it('is accessible: landmarks, headings, text for colour', () => {
    for (const tag of ['<header', '<main', '<footer', '<nav', '<h1', '<h2']) expect(html).toContain(tag);
    expect(html).toContain('class="visually-hidden">90-day uptime: ');
    expect(html).toContain('Degraded performance 1 h 30 min; 1 incident: Slow API responses');
    expect(html).toMatch(/<ol class="bars" aria-hidden="true">/);
  });

  it('shows active incidents with updates newest first, maintenances, past incidents', () => {
    const active = html.indexOf('Active incidents');
    expect(active).toBeGreaterThan(-1);
    expect(html.indexOf('Found it:')).toBeLessThan(html.indexOf('We are investigating.'));
    expect(html).toContain('<time datetime="2026-04-10T10:00:00.000Z">');
    expect(html).toContain('Maintenance in progress');
    expect(html).toContain('DNS provider migration');
    expect(html).toContain('Scheduled maintenance');
    expect(html).toContain('Dashboard upgrade');
    expect(html).toContain('Past incidents');
    expect(html).toContain('href="/incidents/inc-old"');
    expect(html).not.toContain('Dedicated cluster degraded');
  });

  it('escapes titles and messages', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>possible');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt; &amp; friends');
  });

  it('references no external assets', () => {
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('renders the same HTML for the same snapshot version', () => {
    const later = { ...s, generatedAt: new Date(FIXTURE_NOW.getTime() + 3_600_000) };
    expect(renderStatusPage(statusPageView(later))).toBe(html);
  });

  it('shows a customer their own incidents', () => {
    const mine = renderStatusPage(
      statusPageView(s.forCustomer('CANARY-CUSTOMER-initech'), { viewerName: 'Initech' }),
    );
    expect(mine).toContain('Dedicated cluster degraded');
    expect(mine).toContain('Affects you');
    expect(mine).toContain('status page for Initech');
  });
});

describe('incident page', () => {
  it('shows one incident history, escaped', () => {
    const vm = incidentPageView(s, 'inc-open')!;
    const html = renderIncidentPage(vm);
    expect(html).toContain('<h1 id="incident-title">Database outage in eu-west &lt;script&gt;');
    expect(html).toContain('Managed Databases');
    expect(html).not.toContain('<script>alert');
    expect(html.indexOf('Found it:')).toBeLessThan(html.indexOf('We are investigating.'));
  });

  it('is null for unknown and other audiences incidents', () => {
    expect(incidentPageView(s, 'nope')).toBeNull();
    expect(incidentPageView(s, 'inc-private')).toBeNull();
    expect(incidentPageView(s.forCustomer('CANARY-CUSTOMER-initech'), 'inc-private')).not.toBeNull();
  });
});

describe('canaries: nothing internal reaches any public output', () => {
  it.each([
    ['public', s],
    ['customer view', s.forCustomer('CANARY-CUSTOMER-initech')],
  ])('%s', (_label, snap) => {
    const outputs = [
      renderStatusPage(statusPageView(snap)),
      ...snap.incidents.map((i) => renderIncidentPage(incidentPageView(snap, i.id)!)),
      atomFeed(snap),
      ...Object.values(STATUSPAGE_ROUTES).map((f) => JSON.stringify(f(snap))),
      JSON.stringify(statusPageView(snap)),
      // The snapshot itself carries the viewer's own id in a customer view, nothing else.
      ...(snap.viewer ? [] : [JSON.stringify(snap)]),
    ];
    for (const out of outputs) for (const c of CANARIES) expect(out).not.toContain(c);
  });
});
