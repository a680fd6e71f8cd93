import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyGrafanaSignature } from './verify.ts';

const SECRET = 'grafana-hmac-secret';
const NOW = new Date('2026-11-23T04:00:00Z');
const NOW_SEC = NOW.getTime() / 1000;
const BODY = new TextEncoder().encode('{"receiver":"x","alerts":[]}\n');

function sign(data: string | Uint8Array, secret = SECRET): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

function signedAt(ts: number): string {
  return sign(Buffer.concat([Buffer.from(`${ts}:`), BODY]));
}

describe('verifyGrafanaSignature', () => {
  const secrets = { grafanaHmacSecret: SECRET };

  it('passes everything when no secret is configured', () => {
    expect(verifyGrafanaSignature({ headers: {}, rawBody: BODY, now: NOW }, {})).toEqual({ ok: true });
  });

  it('accepts a signature of the body (any header case)', () => {
    const headers = { 'X-Grafana-Alerting-Signature': sign(BODY) };
    expect(verifyGrafanaSignature({ headers, rawBody: BODY, now: NOW }, secrets)).toEqual({ ok: true });
    const upper = { 'x-grafana-alerting-signature': sign(BODY).toUpperCase() };
    expect(verifyGrafanaSignature({ headers: upper, rawBody: BODY, now: NOW }, secrets)).toEqual({
      ok: true,
    });
  });

  it.each(['x-grafana-alerting-signature-timestamp', 'x-grafana-alerting-timestamp'])(
    'accepts `<ts>:<body>` with the %s header',
    (timestampHeader) => {
      const ts = NOW_SEC - 10;
      const headers = { 'x-grafana-alerting-signature': signedAt(ts), [timestampHeader]: String(ts) };
      expect(verifyGrafanaSignature({ headers, rawBody: BODY, now: NOW }, secrets)).toEqual({ ok: true });
    },
  );

  it('rejects a missing, malformed or wrong signature', () => {
    const check = (headers: Record<string, string>) =>
      verifyGrafanaSignature({ headers, rawBody: BODY, now: NOW }, secrets);
    expect(check({})).toEqual({ ok: false, error: 'missing X-Grafana-Alerting-Signature header' });
    expect(check({ 'x-grafana-alerting-signature': 'sha256=abc' }).ok).toBe(false);
    expect(check({ 'x-grafana-alerting-signature': sign(BODY, 'other-secret') })).toEqual({
      ok: false,
      error: 'invalid X-Grafana-Alerting-Signature',
    });
    // A body-only signature does not satisfy a timestamped request.
    expect(
      check({ 'x-grafana-alerting-signature': sign(BODY), 'x-grafana-alerting-timestamp': String(NOW_SEC) })
        .ok,
    ).toBe(false);
  });

  it('rejects a tampered body', () => {
    const headers = { 'x-grafana-alerting-signature': sign(BODY) };
    const tampered = new TextEncoder().encode('{"receiver":"y","alerts":[]}\n');
    expect(verifyGrafanaSignature({ headers, rawBody: tampered, now: NOW }, secrets).ok).toBe(false);
  });

  it('rejects timestamps outside the replay window (default 300 s), both directions', () => {
    for (const ts of [NOW_SEC - 301, NOW_SEC + 301]) {
      const headers = {
        'x-grafana-alerting-signature': signedAt(ts),
        'x-grafana-alerting-timestamp': String(ts),
      };
      expect(verifyGrafanaSignature({ headers, rawBody: BODY, now: NOW }, secrets)).toEqual({
        ok: false,
        error: 'signature timestamp outside the replay window',
      });
    }
    const ts = NOW_SEC - 301;
    const headers = {
      'x-grafana-alerting-signature': signedAt(ts),
      'x-grafana-alerting-timestamp': String(ts),
    };
    const wide = { ...secrets, grafanaHmacReplayWindowSec: 600 };
    expect(verifyGrafanaSignature({ headers, rawBody: BODY, now: NOW }, wide)).toEqual({ ok: true });
  });

  it('rejects a non-numeric timestamp', () => {
    const headers = {
      'x-grafana-alerting-signature': sign(BODY),
      'x-grafana-alerting-timestamp': 'yesterday',
    };
    expect(verifyGrafanaSignature({ headers, rawBody: BODY, now: NOW }, secrets).ok).toBe(false);
  });
});
