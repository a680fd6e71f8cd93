/** Builders of sender payloads for tests and benchmarks, shaped exactly like the real ones. */
export interface AmAlertSpec {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  status?: 'firing' | 'resolved';
  startsAt?: string;
  endsAt?: string;
  fingerprint?: string;
}

export function alertmanagerBody(alerts: AmAlertSpec[]): string {
  const list = alerts.map((a) => ({
    status: a.status ?? 'firing',
    labels: a.labels,
    annotations: a.annotations ?? {
      summary: `${a.labels.alertname ?? 'Alert'} on ${a.labels.instance ?? 'host'}`,
    },
    startsAt: a.startsAt ?? '2026-11-01T09:55:00Z',
    endsAt: a.status === 'resolved' ? (a.endsAt ?? '2026-11-01T10:30:00Z') : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example:9090/graph',
    fingerprint: a.fingerprint ?? fingerprintOf(a.labels),
  }));
  return JSON.stringify({
    receiver: 'incidentd',
    status: list.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts: list,
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey: '{}:{}',
    truncatedAlerts: 0,
  });
}

/** A stable stand-in for Alertmanager's fingerprint (tests only need it stable and distinct). */
export function fingerprintOf(labels: Record<string, string>): string {
  let h = 0xcbf29ce484222325n;
  for (const k of Object.keys(labels).sort()) {
    for (const ch of `${k}\u00ff${labels[k]}\u00ff`) {
      h ^= BigInt(ch.codePointAt(0)!);
      h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
    }
  }
  return h.toString(16).padStart(16, '0');
}

export const dbOutage = (
  customer: string,
  region = 'eu-west-1',
  extra: Partial<AmAlertSpec> = {},
): AmAlertSpec => ({
  labels: {
    alertname: 'PostgresDown',
    service: 'postgres',
    severity: 'critical',
    region,
    customer,
    instance: `pg-${customer}`,
  },
  ...extra,
});

/** An Alertmanager body as small per alert as a real one can be (20,000 alerts fit the 5 MB limit). */
export function compactBody(n: number, labels: (i: number) => Record<string, string>, tag: string): string {
  const alerts = Array.from({ length: n }, (_, i) => ({
    status: 'firing',
    labels: labels(i),
    annotations: {},
    startsAt: '2026-11-01T09:55:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: '',
    fingerprint: `${tag}${i.toString(16).padStart(12, '0')}`,
  }));
  return JSON.stringify({ version: '4', status: 'firing', receiver: 'r', groupKey: '{}:{}', alerts });
}
