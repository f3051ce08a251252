/**
 * The operator's main job end to end: the examples applied with kubectl to a real API server,
 * indexed, given a status, and answered over HTTP.
 */
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import semver from 'semver';
import { parseAllDocuments } from 'yaml';
import { sharedControlPlane } from '../support/shared.ts';
import { kubectl, kubectlOk } from '../support/kubectl.ts';
import { startOperator, waitUntilReady, type OperatorProcess } from '../support/operator.ts';
import { waitFor } from '../support/wait.ts';
import {
  ROOT,
  apply,
  condition,
  createNamespaces,
  getServiceMetadata,
  installCrd,
  names,
  query,
  serviceMetadata,
} from '../support/fixtures.ts';

const plane = sharedControlPlane();
const TEST_NAMESPACE = 'operator-e2e';
const EXAMPLE_NAMESPACES = ['payments', 'storefront', 'platform'];

interface ExampleSpec {
  service: string;
  version: string;
  environment: string;
  tags?: string[];
}
interface Example {
  kind: string;
  metadata: { namespace: string; name: string };
  spec: ExampleSpec;
}

/** Reads every valid example object from examples/*.yaml. */
async function readExamples(): Promise<Example[]> {
  const examples: Example[] = [];
  for (const file of (await readdir(`${ROOT}examples`)).filter((name) => name.endsWith('.yaml'))) {
    const text = await readFile(`${ROOT}examples/${file}`, 'utf8');
    for (const document of parseAllDocuments(text)) {
      const object = document.toJS() as Example | null;
      if (object?.kind === 'ServiceMetadata') {
        examples.push(object);
      }
    }
  }
  return examples;
}

let operator: OperatorProcess;
let examples: Example[];

describe('operator against the examples', () => {
  before(async () => {
    await installCrd(plane);
    await createNamespaces(plane, [TEST_NAMESPACE]);
    await kubectlOk(plane, ['apply', '-f', `${ROOT}examples`]);
    examples = await readExamples();
    operator = await startOperator(plane.dir, plane.operatorKubeconfig, {
      METADATA_WATCH_NAMESPACES: [...EXAMPLE_NAMESPACES, TEST_NAMESPACE].join(','),
    });
    await waitUntilReady(operator);
  });

  after(async () => {
    await operator?.stop();
  });

  it('answers the example query with exactly the matching examples', async () => {
    const expected = examples
      .filter(
        (example) =>
          (example.spec.tags ?? []).includes('critical') &&
          example.spec.environment === 'production' &&
          semver.satisfies(example.spec.version.replace(/^v/, ''), '>=2.0.0'),
      )
      .map((example) => `${example.metadata.namespace}/${example.metadata.name}`)
      .sort();
    assert.ok(expected.length >= 3, 'the examples hold at least three matches');

    const response = await query(
      operator.url,
      'tag=critical&environment=production&version=%3E%3D2.0.0',
    );
    assert.deepEqual(names(response), expected);
    assert.equal(response.total, expected.length);
  });

  it('accepts the query with an unencoded range, as curl sends it', async () => {
    const response = await query(
      operator.url,
      'tag=critical&environment=production&version=>=2.0.0',
    );
    assert.ok(response.total >= 3);
  });

  it('marks every valid example Ready in kubectl get', async () => {
    const output = await waitFor('every example to show Ready=True', async () => {
      const text = await kubectlOk(plane, ['get', 'smd', '-n', 'payments']);
      const rows = text.trim().split('\n').slice(1);
      return rows.every((row) => /\sTrue\s/.test(row)) ? text : undefined;
    });
    const header = output.split('\n')[0] ?? '';
    for (const column of ['NAME', 'SERVICE', 'VERSION', 'ENVIRONMENT', 'REGION', 'READY', 'AGE']) {
      assert.match(header, new RegExp(`\\b${column}\\b`), `column ${column}`);
    }

    const all = await kubectlOk(plane, ['get', 'smd', '-A', '--no-headers']);
    const rows = all
      .trim()
      .split('\n')
      .filter((row) => EXAMPLE_NAMESPACES.includes(row.split(/\s+/)[0] ?? ''));
    assert.equal(rows.length, examples.length);
  });

  it('writes observedGeneration and the Valid and Ready conditions', async () => {
    const example = examples[0] as Example;
    const object = await getServiceMetadata(
      plane,
      example.metadata.namespace,
      example.metadata.name,
    );
    assert.equal(object.status?.observedGeneration, object.metadata.generation);
    assert.equal(condition(object, 'Valid')?.status, 'True');
    assert.equal(condition(object, 'Ready')?.status, 'True');
    assert.equal(condition(object, 'Stalled'), undefined);
    assert.equal(condition(object, 'Reconciling'), undefined);
  });

  it('leaves the schema-invalid example to the API server', async () => {
    const result = await kubectl(plane, [
      'apply',
      '-f',
      `${ROOT}examples/invalid/schema-invalid.yaml`,
    ]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /spec\.version/);
    assert.match(result.stderr, /Invalid value/);
  });

  it('marks the limit-exceeded example invalid and never indexes it', async () => {
    await kubectlOk(plane, ['apply', '-f', `${ROOT}examples/invalid/limit-exceeded.yaml`]);
    const object = await waitFor('the limit-exceeded example to get a status', async () => {
      const current = await getServiceMetadata(plane, 'storefront', 'too-many-tags');
      return condition(current, 'Valid') === undefined ? undefined : current;
    });

    const valid = condition(object, 'Valid');
    assert.equal(valid?.status, 'False');
    assert.equal(valid?.reason, 'LimitExceeded');
    assert.match(valid?.message ?? '', /spec\.tags/);
    assert.match(valid?.message ?? '', /64/);
    assert.equal(condition(object, 'Ready')?.status, 'False');
    assert.equal(condition(object, 'Ready')?.reason, 'Invalid');
    assert.equal(condition(object, 'Stalled')?.status, 'True');

    const events = await waitFor('a LimitExceeded Event', async () => {
      const output = await kubectlOk(plane, [
        'get',
        'events.events.k8s.io',
        '-n',
        'storefront',
        '--field-selector',
        'regarding.name=too-many-tags',
        '-o',
        'json',
      ]);
      const items = (
        JSON.parse(output) as { items: { reason: string; type: string; note: string }[] }
      ).items;
      return items.length > 0 ? items : undefined;
    });
    assert.equal(events[0]?.reason, 'LimitExceeded');
    assert.equal(events[0]?.type, 'Warning');
    assert.match(events[0]?.note ?? '', /spec\.tags/);

    const byService = await query(operator.url, 'service=tag-sprawl');
    assert.equal(byService.total, 0);
    const direct = await fetch(`${operator.url}/v1/services/storefront/too-many-tags`);
    assert.equal(direct.status, 404);
  });

  it('moves an object between results when its tags change', async () => {
    await apply(plane, [serviceMetadata(TEST_NAMESPACE, 'mover', { tags: ['alpha'] })]);
    await waitFor('mover under tag alpha', async () =>
      names(await query(operator.url, 'tag=alpha')).includes(`${TEST_NAMESPACE}/mover`),
    );

    await apply(plane, [serviceMetadata(TEST_NAMESPACE, 'mover', { tags: ['beta'] })]);
    await waitFor('mover under tag beta', async () =>
      names(await query(operator.url, 'tag=beta')).includes(`${TEST_NAMESPACE}/mover`),
    );
    assert.deepEqual(names(await query(operator.url, 'tag=alpha')), []);

    await kubectlOk(plane, ['delete', 'smd', '-n', TEST_NAMESPACE, 'mover']);
    await waitFor(
      'mover to leave the results',
      async () => (await query(operator.url, `namespace=${TEST_NAMESPACE}`)).total === 0,
    );
    assert.deepEqual(names(await query(operator.url, 'tag=beta')), []);
    const direct = await fetch(`${operator.url}/v1/services/${TEST_NAMESPACE}/mover`);
    assert.equal(direct.status, 404);
  });

  it('marks both objects of a conflict and clears it', async () => {
    const gateway = { service: 'gateway', environment: 'production', region: 'eu-west' };
    await apply(plane, [
      serviceMetadata(TEST_NAMESPACE, 'gateway-a', { ...gateway, version: '2.0.0' }),
      serviceMetadata(TEST_NAMESPACE, 'gateway-b', { ...gateway, version: 'v2.0.0+build.9' }),
    ]);
    for (const [name, other] of [
      ['gateway-a', 'gateway-b'],
      ['gateway-b', 'gateway-a'],
    ] as const) {
      const object = await waitFor(`${name} to report the conflict`, async () => {
        const current = await getServiceMetadata(plane, TEST_NAMESPACE, name);
        return condition(current, 'Stalled')?.reason === 'Conflict' ? current : undefined;
      });
      assert.equal(condition(object, 'Ready')?.status, 'False');
      assert.equal(condition(object, 'Ready')?.reason, 'Conflict');
      assert.equal(condition(object, 'Valid')?.status, 'True');
      assert.match(
        condition(object, 'Stalled')?.message ?? '',
        new RegExp(`${TEST_NAMESPACE}/${other}`),
      );
    }
    const indexed = await query(operator.url, 'service=gateway');
    assert.equal(indexed.total, 2, 'both stay indexed');

    // The same pair across two namespaces is no conflict: no tenant learns of the other.
    await apply(plane, [
      serviceMetadata('payments', 'gateway-elsewhere', { ...gateway, version: '2.0.0' }),
    ]);
    const elsewhere = await waitFor('the object in another namespace to be Ready', async () => {
      const current = await getServiceMetadata(plane, 'payments', 'gateway-elsewhere');
      return condition(current, 'Ready') === undefined ? undefined : current;
    });
    assert.equal(condition(elsewhere, 'Ready')?.status, 'True');
    assert.equal(condition(elsewhere, 'Stalled'), undefined);
    await kubectlOk(plane, ['delete', 'smd', '-n', 'payments', 'gateway-elsewhere']);

    await apply(plane, [
      serviceMetadata(TEST_NAMESPACE, 'gateway-b', { ...gateway, version: '2.1.0' }),
    ]);
    for (const name of ['gateway-a', 'gateway-b']) {
      await waitFor(`${name} to be Ready again`, async () => {
        const current = await getServiceMetadata(plane, TEST_NAMESPACE, name);
        return condition(current, 'Ready')?.status === 'True' && !condition(current, 'Stalled');
      });
    }

    await apply(plane, [
      serviceMetadata(TEST_NAMESPACE, 'gateway-b', { ...gateway, version: '2.0.0' }),
    ]);
    await waitFor('gateway-a to conflict again', async () => {
      const current = await getServiceMetadata(plane, TEST_NAMESPACE, 'gateway-a');
      return condition(current, 'Ready')?.reason === 'Conflict';
    });
    await kubectlOk(plane, ['delete', 'smd', '-n', TEST_NAMESPACE, 'gateway-b']);
    await waitFor('gateway-a to be Ready once gateway-b is gone', async () => {
      const current = await getServiceMetadata(plane, TEST_NAMESPACE, 'gateway-a');
      return condition(current, 'Ready')?.status === 'True';
    });
    await kubectlOk(plane, ['delete', 'smd', '-n', TEST_NAMESPACE, 'gateway-a']);
  });

  it('keeps lastTransitionTime until a condition flips', async () => {
    await apply(plane, [serviceMetadata(TEST_NAMESPACE, 'flipper', { tags: ['one'] })]);
    const first = await waitFor('flipper to be Ready', async () => {
      const object = await getServiceMetadata(plane, TEST_NAMESPACE, 'flipper');
      return condition(object, 'Ready')?.status === 'True' ? object : undefined;
    });

    // A spec change that stays valid bumps the generation but flips no condition.
    await apply(plane, [serviceMetadata(TEST_NAMESPACE, 'flipper', { tags: ['two'] })]);
    const second = await waitFor('flipper to observe generation 2', async () => {
      const object = await getServiceMetadata(plane, TEST_NAMESPACE, 'flipper');
      return object.status?.observedGeneration === 2 ? object : undefined;
    });
    assert.equal(
      condition(second, 'Ready')?.lastTransitionTime,
      condition(first, 'Ready')?.lastTransitionTime,
    );

    const tooMany = Array.from({ length: 65 }, (_, i) => `t${i}`);
    await apply(plane, [serviceMetadata(TEST_NAMESPACE, 'flipper', { tags: tooMany })]);
    const third = await waitFor('flipper to turn invalid', async () => {
      const object = await getServiceMetadata(plane, TEST_NAMESPACE, 'flipper');
      return condition(object, 'Ready')?.status === 'False' ? object : undefined;
    });
    assert.equal(third.status?.observedGeneration, 3);
    assert.equal(condition(third, 'Stalled')?.status, 'True');
    assert.deepEqual(names(await query(operator.url, 'tag=t1')), []);
  });
});
