import { createHmac } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * The public id of an internal record (a timeline event shown as a public update): 12 base-36 characters,
 * the shape of Statuspage ids, from an HMAC of the internal id under a server secret. Event ids are one
 * sequence for public and internal events alike, so showing them would show how much happens internally
 * between two public updates; this id is stable (same secret, same id) and says nothing about that.
 */
export function publicId(key: Uint8Array, kind: string, internalId: string | number): string {
  const mac = createHmac('sha256', key).update(`${kind}:${internalId}`, 'utf8').digest();
  let id = '';
  for (let i = 0; i < 12; i++) id += ALPHABET[mac[i]! % 36];
  return id;
}
