const FNV_OFFSET_64 = 0xcbf29ce484222325n;
const FNV_PRIME_64 = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;
const SEPARATOR = 0xff;
const utf8 = new TextEncoder();

/**
 * Alertmanager's `model.LabelSet.Fingerprint()`: FNV-1a 64 over the label pairs sorted by name
 * (byte order, as Go sorts strings), feeding `name, 0xFF, value, 0xFF`, printed as %016x.
 * Used only when a sender omits `fingerprint`, so the identity matches what Alertmanager would send.
 */
export function alertmanagerFingerprint(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort((a, b) => Buffer.compare(utf8.encode(a), utf8.encode(b)));
  let hash = FNV_OFFSET_64;
  const feed = (bytes: Uint8Array): void => {
    for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * FNV_PRIME_64) & MASK_64;
  };
  for (const name of names) {
    feed(utf8.encode(name));
    feed(Uint8Array.of(SEPARATOR));
    feed(utf8.encode(labels[name] ?? ''));
    feed(Uint8Array.of(SEPARATOR));
  }
  return hash.toString(16).padStart(16, '0');
}
