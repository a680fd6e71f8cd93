import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/db.ts';
import { putSettingIfAbsent } from '../store/settings.ts';
import type { TokenDigest } from './tokens.ts';

/**
 * Signed, stateless session cookies for the internal pages. The value is
 * `v1.<session id>.<expires ms>.<actor, base64url>.<HMAC-SHA256>`; the key is derived from a server secret
 * and the admin token's digest, so rotating the admin token signs everyone out.
 */

export const SESSION_TTL_MS = 12 * 3_600_000;
const VERSION = 'v1';

export interface Session {
  /** Random per login; CSRF tokens are bound to it. */
  id: string;
  /** Display name given at login; the actor of timeline events. */
  actor: string;
  expiresAt: Date;
}

export interface SessionSigner {
  issue(actor: string, now: Date): { session: Session; cookie: string };
  /** null for anything not signed by us, malformed, expired or signed out. */
  verify(value: string | undefined, now: Date): Session | null;
  /** Logout: the cookie is cleared, and its id refused until it would have expired anyway (this process). */
  revoke(session: Session, now: Date): void;
  /** A key for other MACs bound to the session (CSRF), distinct from the cookie key. */
  mac(purpose: string, data: string): Buffer;
}

/** The server secret: generated on first start and kept in the settings table (shared by replicas). */
export async function resolveSessionSecret(db: Db): Promise<Buffer> {
  const stored = await putSettingIfAbsent(db, 'session_secret', randomBytes(32).toString('hex'));
  return Buffer.from(stored, 'hex');
}

function sign(key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(payload, 'utf8').digest();
}

export function createSessionSigner(opts: {
  /** null (tests, or before the store is read): a key derived from the admin token digest alone. */
  secret: Buffer | null;
  adminDigest: () => TokenDigest;
  ttlMs?: number;
}): SessionSigner {
  const ttl = opts.ttlMs ?? SESSION_TTL_MS;
  const revoked = new Map<string, number>();
  const key = (purpose: string) =>
    createHmac('sha256', opts.secret ?? Buffer.from('incidentd-session'))
      .update(opts.adminDigest())
      .update(`\0${purpose}`)
      .digest();

  return {
    issue(actor, now) {
      const session: Session = {
        id: randomBytes(16).toString('base64url'),
        actor,
        expiresAt: new Date(now.getTime() + ttl),
      };
      const payload = [
        VERSION,
        session.id,
        String(session.expiresAt.getTime()),
        Buffer.from(actor, 'utf8').toString('base64url'),
      ].join('.');
      return { session, cookie: `${payload}.${sign(key('cookie'), payload).toString('base64url')}` };
    },
    verify(value, now) {
      if (!value || value.length > 1024) return null;
      const parts = value.split('.');
      if (parts.length !== 5 || parts[0] !== VERSION) return null;
      const payload = parts.slice(0, 4).join('.');
      const expected = sign(key('cookie'), payload);
      const given = Buffer.from(parts[4]!, 'base64url');
      // Constant time; the length check leaks nothing secret (the MAC length is public).
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      const expires = Number(parts[2]);
      if (!Number.isSafeInteger(expires) || expires <= now.getTime()) return null;
      if (revoked.has(parts[1]!)) return null;
      return {
        id: parts[1]!,
        actor: Buffer.from(parts[3]!, 'base64url').toString('utf8'),
        expiresAt: new Date(expires),
      };
    },
    revoke(session, now) {
      for (const [id, until] of revoked) if (until <= now.getTime()) revoked.delete(id);
      revoked.set(session.id, session.expiresAt.getTime());
    },
    mac: (purpose, data) => sign(key(purpose), data),
  };
}
