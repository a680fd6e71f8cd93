import { randomBytes } from 'node:crypto';
import type { IdGen } from './pipeline/ports.ts';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** 12-character base-36 ids, the shape Statuspage uses for its public ids. */
export const newId: IdGen = () => {
  const bytes = randomBytes(12);
  let id = '';
  for (const b of bytes) id += ALPHABET[b % 36];
  return id;
};
