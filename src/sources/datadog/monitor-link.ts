/** `…/monitors/<id>?group=<scope>&…` as in the `[Monitor Status](…)` link of `$EVENT_MSG`. */
const MONITOR_LINK = /\/monitors\/(\d+)(\?[^\s)\]"'>]*)?/g;

export interface MonitorLink {
  monitorId: string;
  /** Decoded `group` parameter (`service:keep-api`), absent for simple monitors. */
  group?: string;
}

/**
 * The monitor behind an event, from the links in its text: the only identity the default payload
 * carries. Prefers a link with a `group`, since the `/edit` link has none.
 */
export function findMonitorLink(texts: readonly (string | undefined)[]): MonitorLink | undefined {
  let first: MonitorLink | undefined;
  for (const text of texts) {
    if (!text) continue;
    for (const match of text.matchAll(MONITOR_LINK)) {
      const monitorId = match[1] ?? '';
      const group = match[2] ? groupParam(match[2]) : undefined;
      if (group) return { monitorId, group };
      first ??= { monitorId };
    }
  }
  return first;
}

function groupParam(query: string): string | undefined {
  try {
    return new URLSearchParams(query.slice(1)).get('group')?.trim() || undefined;
  } catch {
    return undefined;
  }
}
