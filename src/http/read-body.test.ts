import { deflateSync, gzipSync } from 'node:zlib';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { ClientAbortedError, readBodyLimited } from './read-body.ts';

function request(body: BodyInit, headers: Record<string, string> = {}): Request {
  return new Request('http://x/webhooks/alertmanager', {
    method: 'POST',
    body,
    headers,
    duplex: 'half',
  } as RequestInit);
}

/** A body that sends `chunks`, then fails as a dropped connection does. */
function dropping(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    },
  });
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const json = '{"alerts":[{"labels":{"alertname":"Gzipped"}}]}';

async function rejection(promise: Promise<unknown>): Promise<HTTPException> {
  try {
    await promise;
  } catch (err) {
    return err as HTTPException;
  }
  throw new Error('expected a rejection');
}

describe('readBodyLimited', () => {
  it('reads a plain body, and stops at the limit', async () => {
    expect(await readBodyLimited(request(json), 1_000)).toEqual({
      bytes: new Uint8Array(Buffer.from(json)),
      tooLarge: false,
    });
    const over = await readBodyLimited(request('x'.repeat(2_000)), 1_000);
    expect(over.tooLarge).toBe(true);
    expect(over.bytes.byteLength).toBe(1_000);
  });

  it.each([
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['GZIP', gzipSync],
  ])('decodes Content-Encoding: %s', async (coding, encode) => {
    const got = await readBodyLimited(request(encode(json), { 'content-encoding': coding }), 1_000);
    expect(text(got.bytes)).toBe(json);
    expect(got.tooLarge).toBe(false);
  });

  it('bounds the decoded size: a gzip bomb is "too large" after the limit, not after 20 MB', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024));
    expect(bomb.byteLength).toBeLessThan(50 * 1024);
    const got = await readBodyLimited(request(bomb, { 'content-encoding': 'gzip' }), 1024 * 1024);
    expect(got.tooLarge).toBe(true);
    expect(got.bytes.byteLength).toBe(1024 * 1024);
  });

  it('refuses other codings with 415, and corrupt compressed data with 400', async () => {
    for (const coding of ['br', 'zstd', 'gzip, gzip', 'compress']) {
      const err = await rejection(readBodyLimited(request('x', { 'content-encoding': coding }), 1_000));
      expect(err).toBeInstanceOf(HTTPException);
      expect(err.status).toBe(415);
      expect(await err.getResponse().json()).toMatchObject({ error: 'unsupported_encoding' });
    }
    const bad = await rejection(readBodyLimited(request('not gzip', { 'content-encoding': 'gzip' }), 1_000));
    expect(bad.status).toBe(400);
    expect(await bad.getResponse().json()).toEqual({
      error: 'invalid',
      message: 'body: not valid gzip data (Content-Encoding: gzip)',
    });
    expect(
      text((await readBodyLimited(request(json, { 'content-encoding': 'identity' }), 1_000)).bytes),
    ).toBe(json);
  });

  it('a client that disconnects mid-body is ClientAbortedError, plain or compressed', async () => {
    const plain = await rejection(readBodyLimited(request(dropping([Buffer.from('{"a":')])), 1_000));
    expect(plain).toBeInstanceOf(ClientAbortedError);
    // Not mistaken for a database outage by its ECONNRESET.
    expect((plain as ClientAbortedError).code).toBe('client_aborted');
    const gz = gzipSync(json);
    const compressed = await rejection(
      readBodyLimited(request(dropping([gz.subarray(0, 8)]), { 'content-encoding': 'gzip' }), 1_000),
    );
    expect(compressed).toBeInstanceOf(ClientAbortedError);
  });
});
