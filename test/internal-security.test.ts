import { expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer, createTestApp, INGEST_TOKEN } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';
import {
  cookieValue,
  csrfOf,
  FORM_HEADERS as FORM,
  formBody as form,
  loginToConsole as login,
} from './support/internal-session.ts';
import { alertmanagerBody, dbOutage } from './support/payloads.ts';

// The internal pages in-process: every page and action refuses a caller without a valid session (or the
// admin token), forms need the session's CSRF token, login failures all look alike, and text from alerts
// and people is escaped everywhere it is shown.

type App = Awaited<ReturnType<typeof createTestApp>>['app'];

async function declare(app: App, body: Record<string, unknown>): Promise<string> {
  const res = await app.request('/api/v1/incidents', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(ADMIN_TOKEN) },
    body: JSON.stringify({ severity: 'SEV2', ...body }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const ACTIONS: [string, Record<string, string>][] = [
  ['acknowledge', {}],
  ['assign', { owner: 'bob' }],
  ['severity', { severity: 'SEV1', reason: 'wider impact' }],
  ['updates', { status: 'identified', message: 'Found it' }],
  ['notes', { message: 'a note' }],
  ['resolve', {}],
  ['reopen', {}],
];

describeEachDatabase('internal pages: authentication, CSRF, escaping', ({ store }) => {
  it('refuses every page and action without a session, with a forged one, or with an expired one', async () => {
    const { app, clock } = await createTestApp(store());
    const id = await declare(app, { title: 'Guarded' });
    const { cookie } = await login(app);
    const [name, value] = cookie.split('=') as [string, string];
    const parts = value.split('.');
    const forged = {
      'no cookie': null,
      'bad signature': `${name}=${parts.slice(0, 4).join('.')}.${'A'.repeat(43)}`,
      'extended expiry': `${name}=${[parts[0], parts[1], String(Number(parts[2]) + 86_400_000), parts[3], parts[4]].join('.')}`,
      'other actor': `${name}=${[parts[0], parts[1], parts[2], Buffer.from('mallory').toString('base64url'), parts[4]].join('.')}`,
      garbage: `${name}=not-a-session`,
    };
    const pages = [
      '/internal',
      `/internal/incidents/${id}`,
      `/internal/incidents/${id}/review.md`,
      '/internal/nowhere',
    ];
    for (const [label, c] of Object.entries(forged)) {
      const headers: Record<string, string> = c ? { cookie: c } : {};
      for (const path of pages) {
        const res = await app.request(path, { headers });
        expect(res.status, `${label} GET ${path}`).toBe(303);
        expect(res.headers.get('location'), `${label} GET ${path}`).toBe(
          `/internal/login?next=${encodeURIComponent(path)}`,
        );
      }
      for (const [action, fields] of ACTIONS) {
        const res = await app.request(`/internal/incidents/${id}/${action}`, {
          method: 'POST',
          headers: { ...FORM, ...headers },
          body: form(fields),
        });
        expect(res.status, `${label} POST ${action}`).toBe(403);
      }
      const ws = await app.request('/internal/ws', { headers: { ...headers, upgrade: 'websocket' } });
      expect(ws.status, `${label} /internal/ws`).toBe(401);
    }
    // Nothing happened to the incident.
    const timeline = await app.request(`/api/v1/incidents/${id}/timeline`, { headers: bearer(ADMIN_TOKEN) });
    const kinds = ((await timeline.json()) as { items: { kind: string }[] }).items.map((e) => e.kind);
    expect(kinds).toEqual(['opened']);

    // Expired: the same cookie 12 h later.
    expect((await app.request('/internal', { headers: { cookie } })).status).toBe(200);
    clock.advance(12 * 3_600_000 + 1000);
    const expired = await app.request('/internal', { headers: { cookie } });
    expect(expired.status).toBe(303);
    expect(expired.headers.get('location')).toMatch(/^\/internal\/login/);
  });

  it('needs the session’s own CSRF token and a same-origin request on every form post', async () => {
    const { app } = await createTestApp(store());
    const id = await declare(app, { title: 'CSRF' });
    const alice = await login(app, 'alice');
    const eve = await login(app, 'eve');
    expect(alice.csrf).not.toBe(eve.csrf);
    const post = (headers: Record<string, string>, fields: Record<string, string>) =>
      app.request(`/internal/incidents/${id}/notes`, {
        method: 'POST',
        headers: { ...FORM, ...headers },
        body: form(fields),
      });

    expect((await post({ cookie: alice.cookie }, { message: 'no token' })).status).toBe(403);
    expect((await post({ cookie: alice.cookie }, { message: 'empty', _csrf: '' })).status).toBe(403);
    expect((await post({ cookie: alice.cookie }, { message: 'eve’s', _csrf: eve.csrf })).status).toBe(403);
    expect(
      (await post({ cookie: alice.cookie }, { message: 'forged', _csrf: `${alice.csrf.slice(0, -2)}AA` }))
        .status,
    ).toBe(403);
    // A valid token from a cross-site page is still refused (second layer).
    expect(
      (
        await post(
          { cookie: alice.cookie, origin: 'https://evil.example' },
          { message: 'x', _csrf: alice.csrf },
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await post(
          { cookie: alice.cookie, 'sec-fetch-site': 'cross-site' },
          { message: 'x', _csrf: alice.csrf },
        )
      ).status,
    ).toBe(403);
    // Logout is a form post too.
    expect(
      (
        await app.request('/internal/logout', {
          method: 'POST',
          headers: { ...FORM, cookie: alice.cookie },
          body: '',
        })
      ).status,
    ).toBe(403);

    const ok = await post(
      { cookie: alice.cookie, origin: 'http://localhost' },
      { message: 'by alice', _csrf: alice.csrf },
    );
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(`/internal/incidents/${id}`);
    const timeline = await app.request(`/api/v1/incidents/${id}/timeline`, { headers: bearer(ADMIN_TOKEN) });
    const notes = (
      (await timeline.json()) as { items: { kind: string; actor: string; data: { message?: string } }[] }
    ).items.filter((e) => e.kind === 'note.added');
    // Only the valid post landed, in the signed-in name.
    expect(notes.map((n) => [n.actor, n.data.message])).toEqual([['alice', 'by alice']]);

    // Sign out: the cookie is cleared and no longer accepted.
    const out = await app.request('/internal/logout', {
      method: 'POST',
      headers: { ...FORM, cookie: alice.cookie },
      body: form({ _csrf: alice.csrf }),
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/incidentd_session=;/);
    expect((await app.request('/internal', { headers: { cookie: alice.cookie } })).status).toBe(303);
  });

  it('login: a wrong token fails alike whatever was wrong, next stays on /internal, cookies are locked down', async () => {
    const { app } = await createTestApp(store());
    const page = await app.request('/internal/login?next=%2Finternal%2Fincidents%2Fabc');
    const nonceCookie = cookieValue(page.headers.get('set-cookie'), 'incidentd_login')!;
    const nonce = csrfOf(await page.text());
    const attempt = async (fields: Record<string, string>, cookie: string | null = nonceCookie) => {
      const res = await app.request('/internal/login', {
        method: 'POST',
        headers: { ...FORM, ...(cookie ? { cookie } : {}) },
        body: form(fields),
      });
      const html = await res.text();
      return {
        status: res.status,
        session: cookieValue(res.headers.get('set-cookie'), 'incidentd_session'),
        // The fresh nonce differs per answer; everything else must not.
        body: html.replace(/name="_csrf" value="[^"]*"/, ''),
      };
    };
    const wrongToken = await attempt({ _csrf: nonce, token: 'wrong', name: 'x' });
    const noToken = await attempt({ _csrf: nonce, name: 'x' });
    const ingestToken = await attempt({ _csrf: nonce, token: INGEST_TOKEN, name: 'x' });
    const noNonce = await attempt({ token: ADMIN_TOKEN, name: 'x' });
    const noNonceCookie = await attempt({ _csrf: nonce, token: ADMIN_TOKEN, name: 'x' }, null);
    for (const r of [wrongToken, noToken, ingestToken, noNonce, noNonceCookie]) {
      expect(r.status).toBe(401);
      expect(r.session).toBeNull();
      expect(r.body).toBe(wrongToken.body);
    }
    expect(wrongToken.body).toContain('Sign-in failed.');
    expect(wrongToken.body).not.toMatch(/nonce|csrf token|wrong token|unknown user/i);

    const good = await app.request('/internal/login', {
      method: 'POST',
      headers: { ...FORM, cookie: nonceCookie },
      body: form({ _csrf: nonce, token: ADMIN_TOKEN, name: 'alice', next: '/internal/incidents/abc' }),
    });
    expect(good.status).toBe(303);
    expect(good.headers.get('location')).toBe('/internal/incidents/abc');
    const set = good.headers.get('set-cookie')!;
    expect(set).toMatch(/incidentd_session=[^;]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict/);
    expect(set).not.toMatch(/Secure/);

    for (const evil of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
      '/status',
      'javascript:alert(1)',
      '/internal/../api/v1/incidents',
    ]) {
      const res = await app.request('/internal/login', {
        method: 'POST',
        headers: { ...FORM, cookie: nonceCookie },
        body: form({ _csrf: nonce, token: ADMIN_TOKEN, next: evil }),
      });
      expect(res.status, evil).toBe(303);
      expect(res.headers.get('location'), evil).toBe('/internal');
    }
  });

  it('over https the session cookie is Secure with the __Host- prefix', async () => {
    const { app } = await createTestApp(store(), { config: { publicUrl: 'https://status.example' } });
    const page = await app.request('/internal/login');
    expect(page.headers.get('set-cookie')).toMatch(/Secure/);
    const res = await app.request('/internal/login', {
      method: 'POST',
      headers: { ...FORM, cookie: cookieValue(page.headers.get('set-cookie'), 'incidentd_login')! },
      body: form({ _csrf: csrfOf(await page.text()), token: ADMIN_TOKEN }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toMatch(
      /^__Host-incidentd_session=[^;]+; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Strict/,
    );
  });

  it('scripts use the admin token (Bearer or basic) instead of a session; a wrong one gets 401', async () => {
    const { app } = await createTestApp(store());
    const id = await declare(app, { title: 'Scripted' });
    const basic = { authorization: `Basic ${Buffer.from(`ops:${ADMIN_TOKEN}`).toString('base64')}` };
    expect((await app.request('/internal', { headers: bearer(ADMIN_TOKEN) })).status).toBe(200);
    expect((await app.request(`/internal/incidents/${id}`, { headers: basic })).status).toBe(200);
    expect((await app.request('/internal', { headers: bearer(INGEST_TOKEN) })).status).toBe(401);
    expect((await app.request('/internal', { headers: bearer('nope') })).status).toBe(401);
    const ack = await app.request(`/internal/incidents/${id}/acknowledge`, {
      method: 'POST',
      headers: { ...FORM, ...basic },
    });
    expect(ack.status).toBe(303);
    const crossSite = await app.request(`/internal/incidents/${id}/notes`, {
      method: 'POST',
      headers: { ...FORM, ...bearer(ADMIN_TOKEN), origin: 'https://evil.example' },
      body: form({ message: 'x' }),
    });
    expect(crossSite.status).toBe(403);
    // Internal responses are not cacheable or frameable and run only our own scripts.
    const res = await app.request('/internal', { headers: bearer(ADMIN_TOKEN) });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('escapes HTML from alert titles, labels, incident titles, notes, updates, owners and reasons everywhere', async () => {
    const { app } = await createTestApp(store());
    const XSS = '<script>alert(1)</script>';
    const IMG = '"><img src=x onerror=alert(2)>';
    const ingest = async (body: string) => {
      const res = await app.request('/webhooks/alertmanager', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(INGEST_TOKEN) },
        body,
      });
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json()) as { incidents: string[] };
    };
    // A routed alert (its title on the timeline; an unknown customer id shown as itself) and an unrouted one.
    const routed = await ingest(
      alertmanagerBody([
        { ...dbOutage(`cust${XSS}`), annotations: { summary: `Primary down ${XSS}` } },
        { ...dbOutage('acme'), annotations: { summary: `Replica down ${IMG}` } },
      ]),
    );
    await ingest(
      alertmanagerBody([
        { labels: { alertname: `Odd${XSS}`, service: 'none' }, annotations: { summary: `Unrouted ${XSS}` } },
      ]),
    );
    const id = routed.incidents[0]!;
    const declared = await declare(app, { title: `Declared ${XSS}`, customers: [`c${IMG}`] });
    const { cookie, csrf } = await login(app, `Alice ${XSS}`);
    const post = async (incident: string, action: string, fields: Record<string, string>) => {
      const res = await app.request(`/internal/incidents/${incident}/${action}`, {
        method: 'POST',
        headers: { ...FORM, cookie },
        body: form({ ...fields, _csrf: csrf }),
      });
      expect(res.status, `${action}: ${await res.clone().text()}`).toBe(303);
    };
    for (const incident of [id, declared]) {
      await post(incident, 'notes', { message: `Note ${XSS}` });
      await post(incident, 'updates', { status: 'identified', message: `Update ${XSS} ${IMG}` });
      await post(incident, 'assign', { owner: `Owner ${XSS}` });
    }
    await post(declared, 'severity', { severity: 'SEV1', reason: `Reason ${XSS}` });
    await post(declared, 'resolve', { message: `Closing ${XSS}` });

    const pages: [string, Record<string, string>][] = [
      ['/internal', {}],
      ['/internal', { 'x-incidentd-fragment': 'live' }],
      [`/internal/incidents/${id}`, {}],
      [`/internal/incidents/${id}?kind=alerts`, {}],
      [`/internal/incidents/${id}`, { 'x-incidentd-fragment': 'live' }],
      [`/internal/incidents/${declared}`, {}],
      [`/internal/incidents/${declared}?order=newest`, {}],
      [`/incidents/${id}`, {}],
      [`/incidents/${declared}`, {}],
      ['/', {}],
    ];
    for (const [path, headers] of pages) {
      const res = await app.request(path, { headers: { cookie, ...headers } });
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html, path).not.toContain('<script>alert');
      expect(html, path).not.toContain('<img src=x');
      expect(html, path).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    const timeline = await (await app.request(`/internal/incidents/${id}`, { headers: { cookie } })).text();
    for (const shown of [
      'Primary down &lt;script&gt;',
      'Note &lt;script&gt;',
      'Update &lt;script&gt;',
      'Owner &lt;script&gt;',
      'cust&lt;script&gt;',
    ]) {
      expect(timeline).toContain(shown);
    }
    const consoleHtml = await (await app.request('/internal', { headers: { cookie } })).text();
    expect(consoleHtml).toContain('Unrouted &lt;script&gt;');
    expect(consoleHtml).toContain('Alice &lt;script&gt;');
    const declaredHtml = await (
      await app.request(`/internal/incidents/${declared}`, { headers: { cookie } })
    ).text();
    expect(declaredHtml).toContain('Reason &lt;script&gt;');
    expect(declaredHtml).toContain('Declared &lt;script&gt;');

    // Markdown: the review escapes markup so a renderer shows it as text.
    for (const incident of [id, declared]) {
      const md = await (
        await app.request(`/api/v1/incidents/${incident}/review.md`, { headers: bearer(ADMIN_TOKEN) })
      ).text();
      // Every < is backslash-escaped: no raw tag survives.
      expect(md).not.toMatch(/(?<!\\)<(script|img)/);
      expect(md).toContain('\\<script\\>');
    }
  });
});
