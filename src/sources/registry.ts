import { alertmanagerSource } from './alertmanager/alertmanager-source.ts';
import { datadogSource } from './datadog/datadog-source.ts';
import { grafanaSource } from './grafana/grafana-source.ts';
import { pagerdutySource } from './pagerduty/pagerduty-source.ts';
import { prometheusSource } from './prometheus/prometheus-source.ts';
import type { Source } from './source.ts';

/** Route name → sender. A new sender is one folder plus one line here. */
export const sources: Record<string, Source> = {
  alertmanager: alertmanagerSource,
  grafana: grafanaSource,
  datadog: datadogSource,
  prometheus: prometheusSource,
  pagerduty: pagerdutySource,
};
