import { parseRfc3339 } from '../alertmanager/rfc3339.ts';

/**
 * PagerDuty's timestamps are ISO 8601, and its own examples write the offset without a colon
 * (`2015-07-17T08:42:58.315+0000`): accept that besides RFC 3339.
 */
export function parseIso8601(text: string): Date | undefined {
  const parsed = parseRfc3339(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return parsed?.kind === 'time' ? parsed.date : undefined;
}
