import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  MAX_QUOTED_LENGTH,
  methodNotAllowed,
  quoteValue,
  StatusError,
  toStatusBody,
} from '../../../src/http/status.ts';

describe('toStatusBody', () => {
  test('leaves details out when there are none', () => {
    const body = toStatusBody(new StatusError(503, 'ServiceUnavailable', 'not ready'));

    assert.deepEqual(body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'not ready',
      reason: 'ServiceUnavailable',
      code: 503,
    });
  });

  test('includes the Allow header of a 405', () => {
    const error = methodNotAllowed('POST', ['GET', 'HEAD']);

    assert.deepEqual(error.headers, { Allow: 'GET, HEAD' });
    assert.equal(error.message, 'method "POST" is not allowed; use GET or HEAD');
  });
});

describe('quoteValue', () => {
  test('quotes a short value whole', () => {
    assert.equal(quoteValue('a"b'), '"a\\"b"');
  });

  test('cuts a long value', () => {
    const quoted = quoteValue('x'.repeat(MAX_QUOTED_LENGTH + 1));

    assert.equal(quoted, `"${'x'.repeat(MAX_QUOTED_LENGTH)}"...`);
  });
});
