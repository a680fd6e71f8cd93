import { expect } from 'vitest';
import { ADMIN_TOKEN, bearer, type createTestApp, INGEST_TOKEN } from './app.ts';

type App = Awaited<ReturnType<typeof createTestApp>>['app'];
export type Json = Record<string, unknown>;

/** A caller of /api/v1 (admin token unless `headers` says otherwise): answers the status and the JSON body. */
export function apiClient(app: App) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = bearer(ADMIN_TOKEN),
  ) => {
    const res = await app.request(`/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Json };
  };
}

/** One /api/v1 call as admin acting as alice; answers the JSON body, throws on a status of 300 or more. */
export async function apiCallAsAlice(app: App, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await app.request(`/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...bearer(ADMIN_TOKEN), 'x-incidentd-actor': 'alice' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Json;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The route answers 401 without a token and with the ingest token (it needs the admin token). */
export async function expectAdminOnly(app: App, method: string, path: string): Promise<void> {
  const api = apiClient(app);
  const body = method === 'POST' ? {} : undefined;
  expect((await api(method, path, body, {})).status).toBe(401);
  expect((await api(method, path, body, bearer(INGEST_TOKEN))).status).toBe(401);
}
