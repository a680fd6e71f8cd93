import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Session, SessionSigner } from './session.ts';

/**
 * CSRF protection for the internal forms: a synchronizer token bound to the session (an HMAC of the
 * session id, so it needs no storage and another session's token never fits), sent as a hidden field and
 * checked in constant time. The login form, which has no session yet, uses a double-submit nonce cookie.
 */

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function csrfToken(signer: SessionSigner, session: Session): string {
  return signer.mac('csrf', session.id).toString('base64url');
}

/** Constant-time comparison of two presented strings (lengths are not secret). */
export function sameSecret(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function csrfMatches(signer: SessionSigner, session: Session, presented: string | null | undefined) {
  return sameSecret(presented, csrfToken(signer, session));
}

/** The login form's nonce (cookie and hidden field carry the same value). */
export function loginNonce(): string {
  return randomBytes(18).toString('base64url');
}
