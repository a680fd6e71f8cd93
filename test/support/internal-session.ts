import { expect } from 'vitest';
import { ADMIN_TOKEN, type createTestApp } from './app.ts';

type App = Awaited<ReturnType<typeof createTestApp>>['app'];

export const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };
export const formBody = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
export const csrfOf = (html: string) => /name="_csrf" value="([^"]*)"/.exec(html)?.[1] ?? '';
export const cookieValue = (setCookie: string | null, name: string) =>
  new RegExp(`(?:^|, )(${name}=[^;]*)`).exec(setCookie ?? '')?.[1] ?? null;

/** Logs in through the real login form; answers the session cookie, its CSRF token and the console's HTML. */
export async function loginToConsole(app: App, name = 'alice') {
  const page = await app.request('/internal/login');
  const nonceCookie = cookieValue(page.headers.get('set-cookie'), 'incidentd_login')!;
  const res = await app.request('/internal/login', {
    method: 'POST',
    headers: { ...FORM_HEADERS, cookie: nonceCookie },
    body: formBody({ _csrf: csrfOf(await page.text()), token: ADMIN_TOKEN, name, next: '/internal' }),
  });
  expect(res.status).toBe(303);
  const cookie = cookieValue(res.headers.get('set-cookie'), 'incidentd_session')!;
  expect(cookie).toBeTruthy();
  const consolePage = await app.request('/internal', { headers: { cookie } });
  expect(consolePage.status).toBe(200);
  const html = await consolePage.text();
  return { cookie, csrf: csrfOf(html), html };
}
