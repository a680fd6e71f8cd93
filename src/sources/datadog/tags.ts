/**
 * `$TAGS` (and `$ALERT_SCOPE`): `key:value` items, comma-separated or as a JSON list. Items are
 * trimmed and split on the FIRST colon (`database_id:keephq-sandbox:keep`). Keys repeat
 * (`security-group:sg-1,security-group:sg-2`), hence a multimap.
 */
export function parseTags(value: unknown): Map<string, string[]> {
  const items: string[] = [];
  if (typeof value === 'string') items.push(...value.split(','));
  else if (Array.isArray(value)) for (const item of value) if (typeof item === 'string') items.push(item);

  const tags = new Map<string, string[]>();
  for (const rawItem of items) {
    const item = rawItem.trim();
    // `$TAGS` left unrendered is not a tag.
    if (item === '' || item.startsWith('$')) continue;
    const colon = item.indexOf(':');
    const key = (colon < 0 ? item : item.slice(0, colon)).trim();
    const tagValue = colon < 0 ? '' : item.slice(colon + 1).trim();
    if (key === '') continue;
    const values = tags.get(key) ?? [];
    if (!values.includes(tagValue)) values.push(tagValue);
    tags.set(key, values);
  }
  return tags;
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
  Object.defineProperty(labels, key, { value, enumerable: true, writable: true, configurable: true });
}
