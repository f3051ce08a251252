/**
 * The operator sends a status write only when the status must change, counted from the API
 * server's audit log rather than from the operator's own metrics: none for unchanged objects after
 * a restart, and none for an object left alone.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { readAuditEvents, statusWrites } from '../support/audit.ts';
import {
  apply,
  condition,
  createNamespaces,
  getServiceMetadata,
  installCrd,
  serviceMetadata,
} from '../support/fixtures.ts';
import {
  metricValue,
  startOperator,
  waitUntilReady,
  type OperatorProcess,
} from '../support/operator.ts';
import { sharedControlPlane } from '../support/shared.ts';
import { waitFor } from '../support/wait.ts';

const plane = sharedControlPlane();
const NAMESPACE = 'status-writes';
const OBJECTS = 12;
const QUIET_PERIOD_MS = 60_000;

async function writesInNamespace(): Promise<number> {
  const events = await readAuditEvents(plane.auditLogPath);
  return statusWrites(events, 'metadata-operator').filter(
    (event) => event.objectRef?.namespace === NAMESPACE,
  ).length;
}

/** Reads a counter of the operator's metrics, summed over its labels. */
function metric(operator: OperatorProcess, name: string): Promise<number> {
  return metricValue(operator, name);
}

const env = { METADATA_WATCH_NAMESPACES: NAMESPACE };
let operator: OperatorProcess | undefined;

describe('status writes', () => {
  before(async () => {
    await installCrd(plane);
    await createNamespaces(plane, [NAMESPACE]);
    const objects = Array.from({ length: OBJECTS }, (_, i) =>
      serviceMetadata(NAMESPACE, `svc-${i}`, { tags: [`tag-${i % 3}`] }),
    );
    // One invalid object, so that both kinds of status are covered.
    objects.push(
      serviceMetadata(NAMESPACE, 'too-many', {
        tags: Array.from({ length: 70 }, (_, i) => `t${i}`),
      }),
    );
    await apply(plane, objects);
  });

  after(async () => {
    await operator?.stop();
  });

  it('writes each new status once', async () => {
    operator = await startOperator(plane.dir, plane.operatorKubeconfig, env);
    await waitUntilReady(operator);
    await waitFor('every object to have a status', async () => {
      for (let i = 0; i < OBJECTS; i += 1) {
        const object = await getServiceMetadata(plane, NAMESPACE, `svc-${i}`);
        if (condition(object, 'Ready') === undefined) {
          return false;
        }
      }
      const invalid = await getServiceMetadata(plane, NAMESPACE, 'too-many');
      return condition(invalid, 'Stalled') !== undefined;
    });
    assert.equal(await writesInNamespace(), OBJECTS + 1);
  });

  it('sends no status write for unchanged objects after a restart', async () => {
    const before = await writesInNamespace();
    await operator?.stop();

    operator = await startOperator(plane.dir, plane.operatorKubeconfig, env);
    await waitUntilReady(operator);
    const started = operator;
    // Every object is reconciled once after the initial list; wait until all were.
    await waitFor(
      'every object to be reconciled',
      async () => (await metric(started, 'metadata_reconcile_total')) >= OBJECTS + 1,
    );
    assert.equal(await writesInNamespace(), before);
  });

  it('sends no status write for an object left alone for a minute', async () => {
    const before = await writesInNamespace();
    await delay(QUIET_PERIOD_MS);
    assert.equal(await writesInNamespace(), before);
  });
});
