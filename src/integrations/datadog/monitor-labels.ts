import { parseTags, setLabel, tagsToLabels } from '../../sources/datadog/tags.ts';

/** What incidentd uses of a Datadog monitor (v1 `Monitor`). */
export interface MonitorFacts {
  id: number;
  name: string | null;
  tags: string[];
  /** 1..5 (P1..P5), null when unset. */
  priority: number | null;
  /** `overall_state`: OK, Alert, Warn, No Data, … */
  overallState: string | null;
}

/** A monitor's tags (same splitting rules as webhook `$TAGS`) and priority as alert labels. */
export function monitorLabels(monitor: MonitorFacts): Record<string, string> {
  const labels = tagsToLabels(parseTags(monitor.tags));
  const p = monitor.priority;
  if (p !== null && Number.isInteger(p) && p >= 1 && p <= 5) setLabel(labels, 'priority', `P${p}`);
  return labels;
}

/**
 * Adds the monitor's labels the alert lacks; what the payload says always wins (it is the newer, more
 * specific fact). Returns the same object when nothing was added.
 */
export function mergeMissingLabels(
  labels: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, string>>,
): { labels: Record<string, string>; added: string[] } {
  const added = Object.keys(extra).filter((k) => !Object.hasOwn(labels, k));
  if (added.length === 0) return { labels: labels as Record<string, string>, added };
  const merged = { ...labels };
  for (const k of added) setLabel(merged, k, extra[k]!);
  return { labels: merged, added };
}
