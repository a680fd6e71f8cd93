/**
 * Shared pieces of the incidentd dashboards: the Prometheus datasource chosen by a variable, and panel
 * helpers with the settings every panel wants (legend, reducer, refIds).
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

// Every panel and query goes through the variable, so the JSON imports into any Grafana unchanged.
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana variable reference, not a JS template
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus');
}

/** A multi-value label variable over DATASOURCE; "All" matches everything (`=~".*"`). */
export function labelVariable(name: string, label: string, query: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' });
}

export interface Query {
  expr: string;
  legend?: string;
  /** Evaluate once at the end of the range (stats of a whole range), not as a series. */
  instant?: boolean;
  /** One row per series, labels as columns (table panels). */
  table?: boolean;
}

const refId = (i: number) => String.fromCharCode(65 + i);

function target(q: Query, i: number): DataqueryBuilder {
  const b = new DataqueryBuilder().datasource(DATASOURCE).refId(refId(i)).expr(q.expr);
  if (q.legend) b.legendFormat(q.legend);
  if (q.table) b.format(PromQueryFormat.Table);
  return q.instant ? b.instant() : b.range();
}

interface PanelOptions {
  title: string;
  description: string;
  queries: Query[];
  unit?: string;
  /** Grid width (of 24) and height. */
  w?: number;
  h?: number;
}

export interface TimeseriesOptions extends PanelOptions {
  bars?: boolean;
  stack?: boolean;
  min?: number;
}

export function timeseries(o: TimeseriesOptions): TimeseriesBuilder {
  const p = new TimeseriesBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .targets(o.queries.map(target))
    .unit(o.unit ?? 'short')
    .span(o.w ?? 12)
    .height(o.h ?? 8)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    );
  if (o.min !== undefined) p.min(o.min);
  if (o.bars) p.drawStyle(common.GraphDrawStyle.Bars).fillOpacity(80).lineWidth(1);
  else p.fillOpacity(10);
  if (o.stack) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  return p;
}

export interface StatOptions extends PanelOptions {
  /** Values from this one up turn the stat red (something needs attention). */
  redFrom?: number;
  /** Values below this one turn it red (a share that should stay high). */
  redBelow?: number;
  /** Shown when the query returns nothing (default 0: a counter with no samples yet). */
  noValue?: string;
}

export function stat(o: StatOptions): StatBuilder {
  const p = new StatBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .targets(o.queries.map(target))
    .unit(o.unit ?? 'short')
    .span(o.w ?? 4)
    .height(o.h ?? 4)
    .graphMode(common.BigValueGraphMode.None)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .noValue(o.noValue ?? '0');
  const steps: dashboard.Threshold[] =
    o.redFrom !== undefined
      ? [
          { value: null, color: 'green' },
          { value: o.redFrom, color: 'red' },
        ]
      : o.redBelow !== undefined
        ? [
            { value: null, color: 'red' },
            { value: o.redBelow, color: 'green' },
          ]
        : [{ value: null, color: 'text' }];
  return p.thresholds(
    new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps),
  );
}

/** A table of instant values: one row per label set, the value in the last column; Time hidden. */
export function table(o: PanelOptions): TableBuilder {
  return new TableBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .targets(o.queries.map((q, i) => target({ ...q, instant: true, table: true }, i)))
    .unit(o.unit ?? 'short')
    .span(o.w ?? 12)
    .height(o.h ?? 8)
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true } } });
}

/** A dashboard with the settings all three share; the caller adds variables and panels. */
export function newDashboard(o: {
  uid: string;
  title: string;
  description: string;
  from: string;
}): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(o.title)
    .uid(o.uid)
    .description(o.description)
    .tags(['incidentd'])
    .time({ from: o.from, to: 'now' })
    .refresh('1m')
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .annotations([])
    .withVariable(datasourceVariable());
}

/** Builds and numbers the panels 1..n in layout order (the builders leave ids to the caller). */
export function finish(builder: dashboard.DashboardBuilder): dashboard.Dashboard {
  const built = builder.build();
  let id = 0;
  for (const panel of built.panels ?? []) {
    panel.id = ++id;
    if (panel.type === 'row') for (const inner of (panel as dashboard.RowPanel).panels) inner.id = ++id;
  }
  return built;
}

/** A row and its panels, laid out left to right, wrapping at the grid width. */
export function section(
  builder: dashboard.DashboardBuilder,
  title: string,
  panels: (StatBuilder | TimeseriesBuilder | TableBuilder)[],
): dashboard.DashboardBuilder {
  builder.withRow(new dashboard.RowBuilder(title));
  for (const panel of panels) builder.withPanel(panel);
  return builder;
}
