/**
 * `$TAGS` (and `$ALERT_SCOPE`): `key:value` items, comma-separated or as a JSON list. Items are
 * trimmed and split on the FIRST colon (`database_id:keephq-sandbox:keep`). Keys repeat
 * (`security-group:sg-1,security-group:sg-2`), hence a multimap. Linear in the number of items (a body
 * holds hundreds of thousands at most): values are de-duplicated through a set, and a string is scanned,
 * never spread into arguments (which overflows the stack past ~125,000 items).
 */
export function parseTags(value: unknown, maxKeys = Number.POSITIVE_INFINITY): Map<string, string[]> {
  const tags = new Map<string, Set<string>>();
  // One key past `maxKeys` is enough for the caller to refuse the body; reading on would only cost time.
  const full = () => tags.size > maxKeys;
  const add = (rawItem: string) => {
    const item = rawItem.trim();
    // `$TAGS` left unrendered is not a tag.
    if (item === '' || item.startsWith('$')) return;
    const colon = item.indexOf(':');
    const key = (colon < 0 ? item : item.slice(0, colon)).trim();
    if (key === '') return;
    const tagValue = colon < 0 ? '' : item.slice(colon + 1).trim();
    const values = tags.get(key);
    if (values) values.add(tagValue);
    else tags.set(key, new Set([tagValue]));
  };
  if (typeof value === 'string') {
    let from = 0;
    for (let comma = value.indexOf(','); comma >= 0 && !full(); comma = value.indexOf(',', from)) {
      add(value.slice(from, comma));
      from = comma + 1;
    }
    if (!full()) add(value.slice(from));
  } else if (Array.isArray(value)) {
    for (const item of value) {
      if (full()) break;
      if (typeof item === 'string') add(item);
    }
  }
  const out = new Map<string, string[]>();
  for (const [key, values] of tags) out.set(key, [...values]);
  return out;
}

/**
 * Multimap → labels. Repeated keys are joined with ","; a valueless tag (`monitor`) becomes a label
 * with value "" so rules can still test for its presence, unless the key also has real values.
 */
export function tagsToLabels(tags: Map<string, string[]>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, values] of tags) {
    setLabel(labels, key, values.filter((v) => v !== '').join(','));
  }
  return labels;
}

/** Assignment that also works for a `__proto__` key (plain `=` would set the prototype instead). */
export function setLabel(labels: Record<string, string>, key: string, value: string): void {
  if (key !== '__proto__') labels[key] = value;
  else Object.defineProperty(labels, key, { value, enumerable: true, writable: true, configurable: true });
}
