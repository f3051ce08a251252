/**
 * The Grafana dashboard and the PrometheusRule against the metrics that `createMetrics()`
 * registers: every operator metric has a panel, and every expression names only metrics that
 * exist. PromQL is not parsed: a metric name is any identifier that is not a function, a keyword,
 * a label name or quoted text.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';

import { parse } from 'yaml';

import { createMetrics } from '../../../src/observability/metrics.ts';

const ROOT = new URL('../../../', import.meta.url);
const DASHBOARD = new URL('deploy/monitoring/grafana-dashboard.json', ROOT);
const RULES = new URL('deploy/components/prometheus-rule/prometheus-rule.yaml', ROOT);

/** The series names that a histogram exports besides its own name. */
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/** PromQL keywords and modifiers that look like identifiers. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
  datasource?: { uid: string };
}

interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string }[] };
}

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: { severity?: string };
  annotations?: { summary?: string; description?: string };
}

interface RuleFile {
  spec: { groups: { rules: Rule[] }[] };
}

/**
 * Returns the metric names of a PromQL expression: quoted text, label matchers, grouping labels,
 * range selectors and function calls are removed first.
 */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  const names: string[] = [];
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const rest = stripped.slice(match.index + match[0].length).trimStart();
    if (!rest.startsWith('(') && !KEYWORDS.has(match[0])) {
      names.push(match[0]);
    }
  }
  return names;
}

/** Returns every series name that the registry exports, with the metric that exports it. */
async function exportedSeries(): Promise<Map<string, string>> {
  const metrics = createMetrics();
  const series = new Map<string, string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    series.set(metric.name, metric.name);
    if (String(metric.type) === 'histogram') {
      for (const suffix of HISTOGRAM_SUFFIXES) {
        series.set(`${metric.name}${suffix}`, metric.name);
      }
    }
  }
  return series;
}

async function readDashboard(): Promise<Dashboard> {
  return JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
}

async function readRules(): Promise<Rule[]> {
  const file = parse(await readFile(RULES, 'utf8')) as RuleFile;
  return file.spec.groups.flatMap((group) => group.rules);
}

function dashboardExpressions(dashboard: Dashboard): string[] {
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
}

describe('metricNames', () => {
  const cases: ReadonlyArray<readonly [string, readonly string[]]> = [
    ['metadata_leader', ['metadata_leader']],
    ['max by (pod) (metadata_ready) == 0', ['metadata_ready']],
    [
      'sum(rate(a_total{result="hit", x=~"b c"}[5m])) / sum(rate(a_total[$__rate_interval]))',
      ['a_total', 'a_total'],
    ],
    ['histogram_quantile(0.99, sum by (route, le) (rate(h_bucket[5m])))', ['h_bucket']],
    ['(max(x) == 0) or absent(y)', ['x', 'y']],
  ];
  for (const [expr, expected] of cases) {
    test(`finds ${expected.join(', ')} in ${expr}`, () => {
      assert.deepEqual(metricNames(expr), expected);
    });
  }
});

describe('grafana dashboard', () => {
  test('has a Prometheus datasource variable', async () => {
    const dashboard = await readDashboard();
    const variable = dashboard.templating.list.find((entry) => entry.type === 'datasource');

    assert.equal(variable?.query, 'prometheus');
    for (const panel of dashboard.panels.filter((entry) => entry.type !== 'row')) {
      assert.equal(panel.datasource?.uid, `\${${variable.name}}`, panel.title);
    }
  });

  test('has a panel for every operator metric', async () => {
    const series = await exportedSeries();
    const shown = new Set(
      dashboardExpressions(await readDashboard())
        .flatMap(metricNames)
        .map((name) => series.get(name)),
    );
    const operatorMetrics = [...new Set(series.values())].filter((name) =>
      name.startsWith('metadata_'),
    );

    assert.deepEqual(
      operatorMetrics.filter((name) => !shown.has(name)),
      [],
    );
  });

  test('names only metrics that exist', async () => {
    const series = await exportedSeries();
    for (const expr of dashboardExpressions(await readDashboard())) {
      const unknown = metricNames(expr).filter((name) => !series.has(name));
      assert.deepEqual(unknown, [], expr);
    }
  });
});

describe('prometheus rules', () => {
  test('name only metrics that exist', async () => {
    const series = await exportedSeries();
    for (const rule of await readRules()) {
      const unknown = metricNames(rule.expr).filter((name) => !series.has(name));
      assert.deepEqual(unknown, [], rule.alert);
    }
  });

  test('carry severity, summary and description', async () => {
    for (const rule of await readRules()) {
      assert.match(rule.labels?.severity ?? '', /^(critical|warning|info)$/, rule.alert);
      assert.ok((rule.annotations?.summary ?? '') !== '', `${rule.alert} has no summary`);
      assert.ok((rule.annotations?.description ?? '') !== '', `${rule.alert} has no description`);
    }
  });

  test('each has a runbook section in operations.md', async () => {
    const operations = await readFile(new URL('docs/operations.md', ROOT), 'utf8');
    for (const rule of await readRules()) {
      const heading = new RegExp(`^### ${rule.alert}$`, 'm');
      assert.ok(heading.test(operations), `operations.md has no heading ### ${rule.alert}`);
    }
  });

  const expected = [
    'MetadataIndexStale',
    'MetadataNoLeader',
    'MetadataReconcileErrors',
    'MetadataWatchRestartsHigh',
    'MetadataNotReady',
    'MetadataInvalidObjects',
  ];
  test('include every documented alert', async () => {
    const alerts = (await readRules()).map((rule) => rule.alert);
    assert.deepEqual(alerts, expected);
  });
});
