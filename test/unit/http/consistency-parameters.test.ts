import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { OBJECT_PARAMETERS, parseObjectRequest } from '../../../src/http/consistency-parameters.ts';
import {
  parseFacetsRequest,
  parseListRequest,
} from '../../../src/http/service-query-parameters.ts';
import { StatusError } from '../../../src/http/status.ts';

/** Returns the 400 that `run` throws. */
function rejection(run: () => unknown): StatusError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof StatusError, String(error));
    assert.equal(error.code, 400);
    return error;
  }

  assert.fail('expected a StatusError, but nothing was thrown');
}

describe('consistency parameters', () => {
  const versions: ReadonlyArray<readonly [string, bigint]> = [
    ['0', 0n],
    ['1200', 1200n],
    ['007', 7n],
    ['99999999999999999999', 99_999_999_999_999_999_999n],
  ];
  for (const [raw, expected] of versions) {
    test(`reads resourceVersion ${raw}`, () => {
      assert.equal(parseListRequest(`minResourceVersion=${raw}`).minResourceVersion, expected);
      assert.equal(parseFacetsRequest(`waitForChange=${raw}`).waitForChange, expected);
      assert.equal(parseObjectRequest(`minResourceVersion=${raw}`).minResourceVersion, expected);
    });
  }

  const invalid = ['-1', '1.0', 'abc', '1e3', '%2B1'];
  for (const raw of invalid) {
    for (const name of ['minResourceVersion', 'waitForChange']) {
      test(`rejects ${name} ${raw}`, () => {
        const error = rejection(() => parseListRequest(`${name}=${raw}`));

        assert.equal(error.details?.causes?.[0]?.field, name);
        assert.match(error.message, /it must be a resourceVersion returned by this API/);
      });
    }
  }

  test('leaves absent waits out', () => {
    const parsed = parseListRequest('');

    assert.equal(Object.hasOwn(parsed, 'minResourceVersion'), false);
    assert.equal(Object.hasOwn(parsed, 'waitForChange'), false);
    assert.equal(parsed.watch, false);
  });

  test('reads watch', () => {
    assert.equal(parseListRequest('watch=true').watch, true);
    assert.equal(parseListRequest('watch=true&explain=false').watch, true);
  });

  const conflicts = ['limit=1', 'continue=x', 'explain=true', 'waitForChange=1'];
  for (const conflict of conflicts) {
    test(`rejects watch with ${conflict}`, () => {
      const error = rejection(() => parseListRequest(`watch=true&${conflict}`));
      const name = conflict.slice(0, conflict.indexOf('='));

      assert.ok(error.details?.causes?.some((cause) => cause.field === 'watch'));
      assert.match(error.message, new RegExp(`cannot be combined with ${name}`));
    });
  }

  test('facets reject watch', () => {
    assert.equal(
      rejection(() => parseFacetsRequest('watch=true')).details?.causes?.[0]?.field,
      'watch',
    );
  });

  test('object route takes only its parameters', () => {
    const error = rejection(() => parseObjectRequest('tag=a'));

    assert.deepEqual(OBJECT_PARAMETERS, ['minResourceVersion', 'timeout']);
    assert.match(error.message, /known parameters are minResourceVersion, timeout$/);
    assert.deepEqual(parseObjectRequest('timeout=2s'), { timeoutMs: 2000 });
  });
});
