import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../pipeline/ports.ts';
import type { Db } from '../store/db.ts';
import { putSettingIfAbsent } from '../store/settings.ts';

/** A secret as we keep it: only its SHA-256, so a database dump does not leak credentials. */
export type TokenDigest = Buffer;

export function digest(token: string): TokenDigest {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Constant-time: compares digests of equal length whatever the presented token's length. */
export function tokenMatches(presented: string | null, expected: TokenDigest): boolean {
  if (!presented) return false;
  return timingSafeEqual(digest(presented), expected);
}

export interface Tokens {
  ingest: TokenDigest;
  admin: TokenDigest;
}

/**
 * Tokens from the environment win. Otherwise a token is generated on first start, its digest kept in the
 * store, and the token printed once; later starts cannot print it again (rotate by setting the variable).
 */
export async function resolveTokens(
  db: Db,
  fromEnv: { ingest: string | null; admin: string | null },
  log: Logger,
): Promise<Tokens> {
  const resolveOne = async (name: 'ingest' | 'admin', envValue: string | null, envName: string) => {
    if (envValue) return digest(envValue);
    const generated = randomBytes(24).toString('base64url');
    const stored = await putSettingIfAbsent(db, `${name}_token_sha256`, digest(generated).toString('hex'));
    if (stored === digest(generated).toString('hex')) {
      log.warn(`generated ${name} token (shown once; set ${envName} to choose your own)`, {
        token: generated,
      });
    }
    return Buffer.from(stored, 'hex');
  };
  return {
    ingest: await resolveOne('ingest', fromEnv.ingest, 'INCIDENTD_INGEST_TOKEN'),
    admin: await resolveOne('admin', fromEnv.admin, 'INCIDENTD_ADMIN_TOKEN'),
  };
}

/** The secret of `Authorization: Bearer T` or of basic auth (the password), as Alertmanager and Grafana send. */
export function presentedToken(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const space = authorization.indexOf(' ');
  if (space < 0) return null;
  const scheme = authorization.slice(0, space).toLowerCase();
  const value = authorization.slice(space + 1).trim();
  if (scheme === 'bearer') return value || null;
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) || null : null;
  }
  return null;
}
