import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { FIXTURE_NOW, fixtureInput } from '../publish/status-snapshot.fixture.ts';
import { buildStatusSnapshot } from '../publish/status-snapshot.ts';
import { SECURITY_HEADERS, securityHeaders } from './security-headers.ts';
import { chooseCoding, createBodyCache, snapshotResponse } from './snapshot-response.ts';

const s = buildStatusSnapshot(fixtureInput(), FIXTURE_NOW);
const big = 'x'.repeat(5_000);
let renders = 0;
const app = new Hono()
  .get('/big', (c) =>
    snapshotResponse(c, s, {
      key: 'big',
      contentType: 'text/plain',
      make: () => {
        renders++;
        return big;
      },
    }),
  )
  .get('/small', (c) =>
    snapshotResponse(c, s, { key: 'small', contentType: 'text/plain', make: () => 'tiny' }),
  );

describe('snapshotResponse', () => {
  it('serves identity, gzip or br by Accept-Encoding, rendered once, with Vary and per-encoding ETags', async () => {
    const plain = await app.request('/big');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('etag')).toBe(`"${s.version}"`);
    expect(plain.headers.get('vary')).toBe('Accept-Encoding');
    expect(plain.headers.get('content-length')).toBe('5000');
    expect(await plain.text()).toBe(big);

    const gz = await app.request('/big', { headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('etag')).toBe(`"${s.version}-gz"`);
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(big);

    const br = await app.request('/big', { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString()).toBe(big);
    expect(renders).toBe(1);
  });

  it('answers 304 to any representation of the current version', async () => {
    for (const tag of [`"${s.version}"`, `W/"${s.version}-gz"`, `"other", "${s.version}-br"`]) {
      const res = await app.request('/big', { headers: { 'if-none-match': tag, 'accept-encoding': 'br' } });
      expect(res.status).toBe(304);
      expect(await res.text()).toBe('');
    }
    expect((await app.request('/big', { headers: { 'if-none-match': '"old"' } })).status).toBe(200);
  });

  it('does not compress tiny bodies', async () => {
    const res = await app.request('/small', { headers: { 'accept-encoding': 'br' } });
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.text()).toBe('tiny');
  });

  it('with a route cache, renders once per version across rebuilt snapshot objects', async () => {
    const cache = createBodyCache();
    let made = 0;
    const serve = (snap: typeof s) =>
      new Hono().get('/', (c) =>
        snapshotResponse(c, snap, {
          key: 'page',
          contentType: 'text/plain',
          cache,
          make: () => `body ${++made}`,
        }),
      );
    const rebuilt = buildStatusSnapshot(fixtureInput(), FIXTURE_NOW);
    expect(rebuilt).not.toBe(s);
    expect(rebuilt.version).toBe(s.version);
    expect(await (await serve(s).request('/')).text()).toBe('body 1');
    expect(await (await serve(rebuilt).request('/')).text()).toBe('body 1');
    const changed = { ...s, version: 'other' } as typeof s;
    expect(await (await serve(changed).request('/')).text()).toBe('body 2');
  });

  it('honours q values', () => {
    expect(chooseCoding(undefined)).toBe('identity');
    expect(chooseCoding('br;q=0, gzip')).toBe('gzip');
    expect(chooseCoding('identity')).toBe('identity');
    expect(chooseCoding('*')).toBe('br');
    expect(chooseCoding('gzip;q=0, *;q=0')).toBe('identity');
  });

  it('carries the security headers in its prepared header objects; the middleware leaves them alone', async () => {
    // A response whose headers are read by the middleware would cost a Headers object per request.
    let reads = 0;
    const Original = globalThis.Response;
    class Spy extends Original {
      override get headers() {
        reads++;
        return super.headers;
      }
    }
    const hardened = new Hono();
    hardened.use(securityHeaders());
    hardened.get('/', (c) =>
      snapshotResponse(c, s, { key: 'spy', contentType: 'text/plain', make: () => 'x' }),
    );
    globalThis.Response = Spy;
    let res: Response;
    let notModified: Response;
    try {
      res = await hardened.request('/');
      notModified = await hardened.request('/', { headers: { 'if-none-match': `"${s.version}"` } });
      expect(reads).toBe(0);
    } finally {
      globalThis.Response = Original;
    }
    for (const r of [res, notModified]) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(r.headers.get(name)).toBe(value);
    }
    expect(notModified.status).toBe(304);
  });
});
