/**
 * The part of the benchmark that runs against a real control plane: loading, the bare paged LIST,
 * the operator's initial sync, HTTP load, propagation and status writes, size by size. The data
 * set grows from one size to the next, so each size loads only the objects it adds.
 */
import { ControlPlane } from '../test/support/control-plane.ts';
import { createNamespaces, installCrd } from '../test/support/fixtures.ts';
import { waitFor } from '../test/support/wait.ts';
import { ApiClient, servicemetadatasPath } from './api-client.ts';
import { createObjects, patchStatuses, type PagedList } from './cluster-load.ts';
import { NAMESPACE_COUNT, TAG_LABEL_PREFIX, namespaceName, tagName } from './dataset.ts';
import type { GeneratedObject } from './dataset.ts';
import { loadUrl, startFloorServer, type HttpLoadResult } from './http-load.ts';
import {
  holdLease,
  indexedObjects,
  startBenchOperator,
  statusWrites,
  type BenchOperator,
} from './operator-process.ts';
import { pagedListInChild } from './paged-list-process.ts';
import { measurePropagation, type PropagationResult } from './propagation.ts';
import { QUERY_SHAPES, RARE_TAG_RANK } from './query-latency.ts';
import { onShutdown } from './shutdown.ts';
import { nowMs } from './stats.ts';

/** The page size of the bare LIST: the operator's default `listPageSize`. */
const LIST_PAGE_SIZE = 500;
/**
 * The size at which propagation and status writes are measured, when the run includes it; a run
 * without it measures them at its first size.
 */
export const WRITE_PATH_SIZE = 10_000;
const PROPAGATION_UPDATES = 300;
const STATUS_WRITE_OBJECTS = 1000;
/** The operator's default `statusWorkers`, which the raw PATCHes match in concurrency. */
const STATUS_CONCURRENCY = 4;
const SETTLE_TIMEOUT_MS = 900_000;

/** Options of the cluster part. */
export interface ClusterBenchOptions {
  readonly sizes: readonly number[];
  readonly connections: number;
  readonly httpSeconds: number;
}

/** The cluster results at one size. */
export interface ClusterSizeResult {
  readonly objects: number;
  readonly createsPerSecond: number;
  readonly list: PagedList;
  readonly initialSyncMs: number;
  readonly http: readonly HttpLoadResult[];
}

/** The status write rates: the operator's and raw PATCHes at the same concurrency. */
export interface StatusWriteResult {
  readonly objects: number;
  readonly concurrency: number;
  readonly operatorPerSecond: number;
  readonly rawPatchPerSecond: number;
}

/** Everything the cluster part measures. */
export interface ClusterResult {
  readonly sizes: ClusterSizeResult[];
  propagation?: PropagationResult;
  statusWrites?: StatusWriteResult;
}

/** The label selector equal to the selective query: the rare tag in production. */
const SELECTIVE_LABELS = `${TAG_LABEL_PREFIX}${tagName(RARE_TAG_RANK)},environment=production`;

/** Runs the cluster part over `objects`, whose length is the largest size. */
export async function runClusterBench(
  objects: readonly GeneratedObject[],
  options: ClusterBenchOptions,
  log: (line: string) => void,
): Promise<ClusterResult> {
  // Nothing here reads the audit log, whose blocking writes slow every create.
  const plane = await ControlPlane.start({ apiServerArgs: ['--audit-log-path='] });
  const client = new ApiClient(plane.server, plane.users.admin.token, plane.caPath);
  let operator: BenchOperator | undefined;
  // The operator that the write path measures; it stops it itself unless interrupted.
  let running: BenchOperator | undefined;
  const stopAll = async (): Promise<void> => {
    await operator?.stop();
    await running?.stop();
    client.close();
    await plane.stop();
  };
  const unregister = onShutdown(stopAll);
  try {
    await installCrd(plane);
    await createNamespaces(
      plane,
      Array.from({ length: NAMESPACE_COUNT }, (_, index) => namespaceName(index)),
    );
    await holdLease(client);

    const result: ClusterResult = { sizes: [] };
    let loaded = 0;
    const writePathSize = options.sizes.includes(WRITE_PATH_SIZE)
      ? WRITE_PATH_SIZE
      : options.sizes[0];
    for (const size of options.sizes) {
      // No operator runs while loading, so the creates have both cores of a small machine.
      log(`loading ${size - loaded} objects`);
      const createsPerSecond = await createObjects(client, objects.slice(loaded, size));
      loaded = size;

      log(`measuring the paged LIST and the initial sync at ${size}`);
      const list = await pagedListInChild(client, plane.caPath, LIST_PAGE_SIZE);
      operator = await startBenchOperator(plane.dir, plane.operatorKubeconfig);
      await settle(operator, size);

      log(`measuring HTTP at ${size}`);
      const http = await measureHttp(client, operator.url, options);
      result.sizes.push({
        objects: size,
        createsPerSecond,
        list,
        initialSyncMs: operator.readyMs,
        http,
      });

      running = operator;
      operator = undefined;
      if (size === writePathSize) {
        log(`measuring propagation and status writes at ${size}`);
        const measured = await measureWritePath(client, plane, running, objects.slice(0, size));
        result.propagation = measured.propagation;
        result.statusWrites = measured.statusWrites;
      } else {
        await running.stop();
      }
    }

    return result;
  } finally {
    unregister();
    await stopAll();
  }
}

/**
 * Measures propagation with the running follower, stops it, and measures status writes. Every
 * operator that it started or received is stopped when it returns or throws.
 */
async function measureWritePath(
  client: ApiClient,
  plane: ControlPlane,
  follower: BenchOperator,
  objects: readonly GeneratedObject[],
): Promise<{ propagation: PropagationResult; statusWrites: StatusWriteResult }> {
  let propagation: PropagationResult;
  try {
    const probed = objects.filter((object) => object.namespace === namespaceName(0));
    propagation = await measurePropagation(
      client,
      follower.url,
      probed.slice(0, PROPAGATION_UPDATES),
    );
  } finally {
    await follower.stop();
  }

  const statusWrites = await measureStatusWrites(
    client,
    plane,
    objects.slice(0, STATUS_WRITE_OBJECTS),
  );
  return { propagation, statusWrites };
}

/** Waits until the operator indexed `size` objects. */
async function settle(operator: BenchOperator, size: number): Promise<void> {
  await waitFor(
    `the operator to index ${size} objects`,
    async () => (await indexedObjects(operator.metricsUrl)) === size,
    { timeoutMs: SETTLE_TIMEOUT_MS, intervalMs: 100 },
  );
}

async function measureHttp(
  client: ApiClient,
  operatorUrl: string,
  options: ClusterBenchOptions,
): Promise<HttpLoadResult[]> {
  const load = { connections: options.connections, durationSeconds: options.httpSeconds };
  const apiLoad = { ...load, headers: { authorization: `Bearer ${client.token}` } };
  const apiList = `${client.server}${servicemetadatasPath()}?labelSelector=${encodeURIComponent(SELECTIVE_LABELS)}`;
  const floor = await startFloorServer();
  try {
    return [
      await loadUrl('floor', `${floor.url}/v1/services?${QUERY_SHAPES.selective}`, load),
      await loadUrl('operator', `${operatorUrl}/v1/services?${QUERY_SHAPES.selective}`, load),
      await loadUrl('apiConsistent', `${apiList}&resourceVersion=`, apiLoad),
      await loadUrl('apiWatchCache', `${apiList}&resourceVersion=0`, apiLoad),
    ];
  } finally {
    await floor.stop();
  }
}

/**
 * Measures raw status PATCHes of `objects` while only followers run, then the status writes of an
 * operator without leader election, from its readiness until it wrote as many statuses.
 */
async function measureStatusWrites(
  client: ApiClient,
  plane: ControlPlane,
  objects: readonly GeneratedObject[],
): Promise<StatusWriteResult> {
  const rawPatchPerSecond = await patchStatuses(client, objects, STATUS_CONCURRENCY);
  // Without leader election this operator writes status. No status was written before, so it
  // writes one per object, and the rate covers its first writes.
  const operator = await startBenchOperator(plane.dir, plane.operatorKubeconfig, {
    METADATA_LEADER_ELECTION: 'false',
  });
  try {
    const start = nowMs();
    const writtenAtStart = await statusWrites(operator.metricsUrl);
    await waitFor(
      `the operator to write ${objects.length} statuses`,
      async () => (await statusWrites(operator.metricsUrl)) >= objects.length,
      { timeoutMs: SETTLE_TIMEOUT_MS, intervalMs: 10 },
    );
    const operatorPerSecond = (objects.length - writtenAtStart) / ((nowMs() - start) / 1000);
    return {
      objects: objects.length,
      concurrency: STATUS_CONCURRENCY,
      operatorPerSecond,
      rawPatchPerSecond,
    };
  } finally {
    await operator.stop();
  }
}
