/**
 * The metrics endpoint of a running operator: its own port, and the gauges that follow the
 * objects in the API server (per namespace, conflicts, invalid objects and the capped info series).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apply, createNamespaces, installCrd, serviceMetadata } from '../support/fixtures.ts';
import { kubectlOk } from '../support/kubectl.ts';
import {
  metricValue,
  scrapeMetrics,
  startOperator,
  waitUntilReady,
  type OperatorProcess,
} from '../support/operator.ts';
import { sharedControlPlane } from '../support/shared.ts';
import { waitFor } from '../support/wait.ts';

const plane = sharedControlPlane();
const NAMESPACE = 'metrics-e2e';
const IN_NAMESPACE = `namespace="${NAMESPACE}"`;
const INFO_MAX_SERIES = 2;

let operator: OperatorProcess;

/** Waits until the metric, summed over the samples whose labels contain `labels`, is `expected`. */
async function waitForMetric(name: string, labels: string, expected: number): Promise<void> {
  await waitFor(`${name}{${labels}} to be ${expected}`, async () => {
    const value = await metricValue(operator, name, labels);
    return value === expected ? true : `${value}`;
  });
}

/** Returns the number of `metadata_service_info` series in a scrape. */
async function infoSeries(): Promise<number> {
  const text = await scrapeMetrics(operator);
  return text.split('\n').filter((line) => line.startsWith('metadata_service_info{')).length;
}

describe('operator metrics', () => {
  before(async () => {
    await installCrd(plane);
    await createNamespaces(plane, [NAMESPACE]);
    operator = await startOperator(plane.dir, plane.operatorKubeconfig, {
      METADATA_WATCH_NAMESPACES: NAMESPACE,
      METADATA_LEADER_ELECTION: 'false',
      METADATA_INFO_METRIC: 'true',
      METADATA_INFO_METRIC_MAX_SERIES: String(INFO_MAX_SERIES),
    });
    await waitUntilReady(operator);
  });

  after(async () => {
    await operator?.stop();
  });

  it('serves /metrics on the metrics port only', async () => {
    const metrics = await fetch(`${operator.metricsUrl}/metrics`);
    const text = await metrics.text();
    const query = await fetch(`${operator.url}/metrics`);
    await query.arrayBuffer();

    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(text, /^# TYPE metadata_ready gauge$/m);
    assert.equal(query.status, 404);
  });

  it('reports ready once synced', async () => {
    assert.equal(await metricValue(operator, 'metadata_ready'), 1);
  });

  it('counts indexed objects per namespace', async () => {
    await apply(plane, [
      serviceMetadata(NAMESPACE, 'alpha'),
      serviceMetadata(NAMESPACE, 'beta'),
      serviceMetadata(NAMESPACE, 'gamma'),
    ]);

    await waitForMetric('metadata_index_objects', IN_NAMESPACE, 3);
  });

  it('caps the info series', async () => {
    await waitForMetric('metadata_service_info_omitted_objects', '', 1);

    assert.equal(await infoSeries(), INFO_MAX_SERIES);
  });

  it('counts conflicting objects', async () => {
    await apply(plane, [serviceMetadata(NAMESPACE, 'alpha-copy', { service: 'alpha' })]);

    await waitForMetric('metadata_conflicting_objects', '', 2);
  });

  it('counts invalid objects', async () => {
    const tags = Array.from({ length: 70 }, (_, i) => `t${i}`);
    await apply(plane, [serviceMetadata(NAMESPACE, 'too-many-tags', { tags })]);

    await waitForMetric('metadata_objects', 'state="invalid"', 1);
  });

  it('removes the namespace series with its last object', async () => {
    await kubectlOk(plane, ['delete', 'smd', '--all', '-n', NAMESPACE]);
    await waitForMetric('metadata_objects', 'state="indexed"', 0);
    const text = await scrapeMetrics(operator);

    assert.doesNotMatch(text, /^metadata_index_objects\{/m);
    assert.equal(await infoSeries(), 0);
    assert.equal(await metricValue(operator, 'metadata_service_info_omitted_objects'), 0);
    assert.equal(await metricValue(operator, 'metadata_conflicting_objects'), 0);
    assert.equal(await metricValue(operator, 'metadata_objects', 'state="invalid"'), 0);
  });
});
