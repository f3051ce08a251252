/**
 * Differential test of the label selector parser against the API server: objects whose labels
 * equal their attributes are listed with `kubectl get -l`, and the names that the API server
 * returns must equal the names that `parseSelector(selector).matches(attributes)` selects. A
 * selector that the API server rejects must be rejected by the parser too, and the other way
 * round.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { parseSelector } from '../../src/query/selector.ts';
import { kubectl } from '../support/kubectl.ts';
import { apply, createNamespaces, installCrd, serviceMetadata } from '../support/fixtures.ts';
import { sharedControlPlane } from '../support/shared.ts';

const plane = sharedControlPlane();
const NAMESPACE = 'selector-diff';

/** Label-valid attribute maps, applied both as `metadata.labels` and as `spec.attributes`. */
const OBJECTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  web: { app: 'web', tier: 'frontend', replicas: '3' },
  api: { app: 'api', tier: 'backend', replicas: '10', 'example.com/zone': 'a' },
  bare: {},
  padded: { app: '', replicas: '007', team: '' },
  words: { app: 'in', tier: 'notin', replicas: '9223372036854775807' },
  upper: { Tier: 'x', 'app.kubernetes.io/name': 'db', replicas: '99999999999999999999' },
  mixed: { app: 'web', team: 'a_b.c-d', replicas: '0' },
};

const VALID = [
  '',
  'app=web',
  'app==web',
  'app!=web',
  'app in (web,api)',
  'app notin (web)',
  'tier',
  '!tier',
  '!app',
  'replicas>5',
  'replicas<5',
  'replicas>3,replicas<10',
  'replicas<9223372036854775807',
  'replicas>9223372036854775806',
  'replicas>0',
  'replicas>007',
  'app=',
  'app in ()',
  'team notin ()',
  'app in (web,,api)',
  'app in (,web)',
  'app in (,,,)',
  'app in (web,,)',
  'app in (,,)',
  'app in (web,)',
  'app notin (,)',
  ' app = web , tier ',
  'app\tin\t(web)',
  'app in(web)',
  'example.com/zone=a',
  'app=in',
  'app in (in, notin)',
  'tier=notin',
  'Tier',
  'app.kubernetes.io/name=db',
  'team=a_b.c-d',
  'app,tier,replicas',
  'in in (notin)',
  'app notin (web),replicas',
];

const INVALID = [
  ',',
  'app,',
  'app web',
  'app in (a b)',
  'app in (a,(',
  'app in web',
  'app in (web',
  '!app=web',
  'app<=5',
  'replicas>-1',
  'replicas>abc',
  'replicas>99999999999999999999',
  'app=-web',
  'Example.com/zone=a',
  'a/b/c=x',
  '/a=x',
  `app=${'v'.repeat(64)}`,
];

/** Runs `kubectl get -l` and returns the selected names, or undefined when kubectl failed. */
async function selectWithApiServer(selector: string): Promise<string[] | undefined> {
  const args = ['get', 'smd', '-n', NAMESPACE, '-l', selector, '-o', 'name'];
  const result = await kubectl(plane, args);
  if (result.code !== 0) {
    return undefined;
  }

  return result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.slice(line.lastIndexOf('/') + 1))
    .sort();
}

/** Returns the names that the parser selects, or undefined when it rejects the selector. */
function selectWithParser(selector: string): string[] | undefined {
  let parsed;
  try {
    parsed = parseSelector(selector);
  } catch {
    // The caller compares the rejection with the API server's.
    return undefined;
  }

  return Object.entries(OBJECTS)
    .filter(([, attributes]) => parsed.matches(attributes))
    .map(([name]) => name)
    .sort();
}

describe('label selector against the API server', () => {
  before(async () => {
    await installCrd(plane);
    await createNamespaces(plane, [NAMESPACE]);
    const manifests = Object.entries(OBJECTS).map(([name, attributes]) => {
      const manifest = serviceMetadata(NAMESPACE, name, { attributes: { ...attributes } });
      const metadata = (manifest as { metadata: Record<string, unknown> }).metadata;
      metadata.labels = { ...attributes };
      return manifest;
    });
    await apply(plane, manifests);
  });

  it('lists every object without a selector', async () => {
    assert.deepEqual(await selectWithApiServer(''), Object.keys(OBJECTS).sort());
  });

  for (const selector of VALID) {
    it(`selects the same objects for ${JSON.stringify(selector)}`, async () => {
      const expected = await selectWithApiServer(selector);
      assert.ok(expected !== undefined, 'the API server accepts the selector');

      assert.deepEqual(selectWithParser(selector), expected);
    });
  }

  for (const selector of INVALID) {
    it(`both reject ${JSON.stringify(selector.slice(0, 40))}`, async () => {
      assert.equal(await selectWithApiServer(selector), undefined, 'the API server rejects it');
      assert.equal(selectWithParser(selector), undefined, 'the parser rejects it');
    });
  }
});
