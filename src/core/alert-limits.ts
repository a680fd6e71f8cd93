import { formatIssuePath } from './format-issue.ts';
import { type IngestLimits, overLimit } from './ingest-limits.ts';

/** The first limit one normalized alert exceeds (labels, annotations, name and value sizes), else null. */
export function alertOverLimit(
  alert: { labels: Record<string, string>; annotations: Record<string, string> },
  index: number,
  limits: IngestLimits,
): string | null {
  for (const field of ['labels', 'annotations'] as const) {
    const map = alert[field];
    const at = formatIssuePath(['alerts', index, field]);
    let count = 0;
    for (const name in map) {
      if (!Object.hasOwn(map, name)) continue;
      if (++count > limits.maxLabelsPerAlert) {
        return overLimit(at, 'entries', limits, 'maxLabelsPerAlert');
      }
      const nameBytes = Buffer.byteLength(name, 'utf8');
      if (nameBytes > limits.maxLabelNameBytes) {
        return overLimit(at, `bytes in a name (${nameBytes})`, limits, 'maxLabelNameBytes');
      }
      if (field === 'labels') {
        const valueBytes = Buffer.byteLength(map[name]!, 'utf8');
        if (valueBytes > limits.maxLabelValueBytes) {
          const where = formatIssuePath(['alerts', index, 'labels', name]);
          return overLimit(where, `bytes in the value (${valueBytes})`, limits, 'maxLabelValueBytes');
        }
      }
    }
  }
  return null;
}
