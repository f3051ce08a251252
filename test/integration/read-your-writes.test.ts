/**
 * Read-your-writes across replicas. Two operators watch the same namespace of the real API
 * server, and a client writes with kubectl and reads the resourceVersion of its write. A query
 * with `minResourceVersion` set to it then sees the write on either replica, whether or not that
 * replica's watch lags. A write outside the watched namespaces is waited for until a bookmark
 * carries the watermark past it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { createNamespaces, installCrd, serviceMetadata } from '../support/fixtures.ts';
import { kubectlOk } from '../support/kubectl.ts';
import { startOperator, waitUntilReady, type OperatorProcess } from '../support/operator.ts';
import { sharedControlPlane } from '../support/shared.ts';

const plane = sharedControlPlane();
const NAMESPACE = 'read-your-writes';
/** A namespace that neither operator watches. */
const UNWATCHED = 'read-your-writes-unwatched';
const ROUNDS = 20;

/** The objects that the rounds create first and change afterwards. */
const NAMES = ['alpha', 'beta', 'gamma', 'delta'];

interface StoredObject {
  metadata: { resourceVersion: string };
}

interface Item {
  name: string;
  version: string;
  tags: string[];
}

/** Creates or changes one object with kubectl and returns the resourceVersion of the write. */
async function write(round: number): Promise<{ name: string; version: string; rv: string }> {
  const name = NAMES[round % NAMES.length] ?? 'alpha';
  const version = `1.${round}.0`;
  const manifest = JSON.stringify(
    serviceMetadata(NAMESPACE, name, { version, tags: [`round-${round}`] }),
  );
  const verb = round < NAMES.length ? 'create' : 'apply';
  const output = await kubectlOk(plane, [verb, '-f', '-', '-o', 'json'], manifest);
  const stored = JSON.parse(output) as StoredObject;
  return { name, version, rv: stored.metadata.resourceVersion };
}

/** Reads one object from a replica once its index has reached `rv`. */
async function readAt(
  operator: OperatorProcess,
  name: string,
  rv: string,
): Promise<{ item: Item; resourceVersion: string }> {
  const url = `${operator.url}/v1/services/${NAMESPACE}/${name}?minResourceVersion=${rv}&timeout=30s`;
  const response = await fetch(url);
  const body = await response.text();
  assert.equal(response.status, 200, `GET ${url}: ${body}`);
  return {
    item: JSON.parse(body) as Item,
    resourceVersion: response.headers.get('x-resource-version') ?? '0',
  };
}

/** Lists the namespace on a replica once its index has reached `rv`. */
async function listAt(operator: OperatorProcess, rv: string): Promise<Item[]> {
  const url = `${operator.url}/v1/services?namespace=${NAMESPACE}&minResourceVersion=${rv}`;
  const response = await fetch(url);
  const body = await response.text();
  assert.equal(response.status, 200, `GET ${url}: ${body}`);
  return (JSON.parse(body) as { items: Item[] }).items;
}

let first: OperatorProcess;
let second: OperatorProcess;

describe('read your writes across replicas', () => {
  before(async () => {
    await installCrd(plane);
    await createNamespaces(plane, [NAMESPACE, UNWATCHED]);
    const env = { METADATA_WATCH_NAMESPACES: NAMESPACE };
    [first, second] = await Promise.all([
      startOperator(plane.dir, plane.operatorKubeconfig, env),
      startOperator(plane.dir, plane.operatorKubeconfig, env),
    ]);
    await Promise.all([waitUntilReady(first), waitUntilReady(second)]);
  });

  after(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  it('sees every write on the other replica', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const written = await write(round);
      // Alternate the replica read first, so that each one is the other in half the rounds.
      const [one, other] = round % 2 === 0 ? [first, second] : [second, first];

      const read = await readAt(one, written.name, written.rv);
      const otherRead = await readAt(other, written.name, read.resourceVersion);
      const otherList = await listAt(other, written.rv);
      const listed = otherList.find((item) => item.name === written.name);

      const label = `round ${round}, ${written.name} at resourceVersion ${written.rv}`;
      assert.ok(BigInt(read.resourceVersion) >= BigInt(written.rv), label);
      assert.equal(read.item.version, written.version, label);
      assert.equal(otherRead.item.version, written.version, label);
      assert.deepEqual(otherRead.item.tags, [`round-${round}`], label);
      assert.equal(listed?.version, written.version, label);
    }
  });

  it('waits for a bookmark past a write it does not watch', { timeout: 180_000 }, async () => {
    const manifest = JSON.stringify(serviceMetadata(UNWATCHED, 'elsewhere'));
    const output = await kubectlOk(plane, ['create', '-f', '-', '-o', 'json'], manifest);
    const { resourceVersion } = (JSON.parse(output) as StoredObject).metadata;

    // The API server sends a bookmark about once a minute on a quiet watch. Nothing else moves
    // the watermark of these operators now, so only a wait for it can pass this resourceVersion.
    const url =
      `${second.url}/v1/services?namespace=${NAMESPACE}` +
      `&minResourceVersion=${resourceVersion}&timeout=150s`;
    const response = await fetch(url);
    const body = await response.text();
    const watermark = response.headers.get('x-resource-version') ?? '0';

    assert.equal(response.status, 200, body);
    assert.ok(BigInt(watermark) >= BigInt(resourceVersion), `${watermark} < ${resourceVersion}`);
  });
});
