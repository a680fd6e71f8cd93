import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VerifyRequest, VerifyResult, VerifySecrets } from '../source.ts';

export const SIGNATURE_HEADER = 'x-grafana-alerting-signature';
/** Grafana has no default timestamp header name; these are the documented/common ones. */
export const TIMESTAMP_HEADERS = ['x-grafana-alerting-signature-timestamp', 'x-grafana-alerting-timestamp'];
export const DEFAULT_REPLAY_WINDOW_SEC = 300;

/**
 * Grafana's optional HMAC (Grafana 12+): lowercase hex HMAC-SHA256 of the raw body, or of
 * `<unix-seconds>:<body>` when a timestamp header is sent. Checked only when a secret is configured.
 * Without a timestamp header there is no replay protection; that is Grafana's configuration choice.
 */
export function verifyGrafanaSignature(req: VerifyRequest, secrets: VerifySecrets): VerifyResult {
  const secret = secrets.grafanaHmacSecret;
  if (!secret) return { ok: true };
  const signature = header(req.headers, SIGNATURE_HEADER)?.trim().toLowerCase();
  if (!signature) return { ok: false, error: 'missing X-Grafana-Alerting-Signature header' };
  if (!/^[0-9a-f]{64}$/.test(signature))
    return { ok: false, error: 'malformed X-Grafana-Alerting-Signature' };

  const hmac = createHmac('sha256', secret);
  const timestamp = firstHeader(req.headers, TIMESTAMP_HEADERS)?.trim();
  if (timestamp !== undefined) {
    if (!/^\d{1,15}$/.test(timestamp)) return { ok: false, error: 'malformed signature timestamp' };
    const windowSec = secrets.grafanaHmacReplayWindowSec ?? DEFAULT_REPLAY_WINDOW_SEC;
    const skewSec = Math.abs(req.now.getTime() / 1000 - Number(timestamp));
    if (skewSec > windowSec) return { ok: false, error: 'signature timestamp outside the replay window' };
    hmac.update(`${timestamp}:`);
  }
  hmac.update(req.rawBody);
  const expected = hmac.digest();
  const given = Buffer.from(signature, 'hex');
  // Lengths are equal (64 hex chars checked above), as timingSafeEqual requires.
  if (!timingSafeEqual(given, expected)) return { ok: false, error: 'invalid X-Grafana-Alerting-Signature' };
  return { ok: true };
}

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined && key.toLowerCase() === name) return value;
  }
  return undefined;
}

function firstHeader(
  headers: Record<string, string | undefined>,
  names: readonly string[],
): string | undefined {
  for (const name of names) {
    const value = header(headers, name);
    if (value !== undefined) return value;
  }
  return undefined;
}
