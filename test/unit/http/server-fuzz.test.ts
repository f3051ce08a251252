import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, test } from 'node:test';

import fc from 'fast-check';

import { SERVICE_QUERY_PARAMETERS } from '../../../src/http/service-query-parameters.ts';
import type { StatusBody } from '../../../src/http/status.ts';
import { rawGet, sendRaw, type RawResponse } from './raw-http.ts';
import { startFixture, type ServerFixture } from './server-fixture.ts';

/** Generated requests with a well-formed request line and a random target. */
const TARGET_RUNS = 1500;

/** Generated requests with a random request line and random headers. */
const RAW_RUNS = 400;

/** Growth of the heap after garbage collection that counts as a leak, in bytes. */
const MAX_HEAP_GROWTH_BYTES = 16 * 1024 * 1024;

/** Parameters that make a request wait or stream are left out, since they end only by timeout. */
const WAITING = new Set(['minResourceVersion', 'waitForChange', 'watch']);
const PARAMETERS = SERVICE_QUERY_PARAMETERS.filter((name) => !WAITING.has(name));

const PATHS = [
  '/v1/services',
  '/v1/facets',
  '/v1/services/a/api',
  '/v1/services/%ZZ/x',
  '/v1/services//x',
  '/healthz',
  '/readyz',
  '/metrics',
  '/openapi.json',
  '/',
  '*',
  '//',
  '/v1/services/../facets',
  'http://127.0.0.1/v1/services',
  '/v1/services/' + 'n'.repeat(300) + '/x',
];

const QUERY_TOKENS = [
  ...PARAMETERS,
  '&',
  '=',
  '?',
  '#',
  'true',
  '1',
  '5001',
  '1ms',
  '>=1.0.0',
  'team%3Dcore',
  '%',
  '%zz',
  '%2525',
  '%C0%AF',
  '%ED%A0%80',
  '%00',
  '+',
  'x'.repeat(300),
  '\u00e9',
  '\u{1F600}',
];

const target = fc
  .tuple(
    fc.constantFrom(...PATHS),
    fc.string({ unit: fc.constantFrom(...QUERY_TOKENS), maxLength: 30 }),
  )
  .map(([path, query]) => (query === '' ? path : `${path}?${query}`));

const LINE_TOKENS = [
  'GET',
  'HEAD',
  'POST',
  'PRI',
  'BREW',
  'get',
  ' ',
  '/v1/services',
  '/healthz',
  '?tag=a',
  'HTTP/1.1',
  'HTTP/1.0',
  'HTTP/2.0',
  'HTTP/9.9',
  '\t',
  '\u0000',
  '\u00ff',
  '%',
  '\r',
];

const HEADER_TOKENS = [
  'Host: x',
  'Host:',
  'Host: a\r\nHost: b',
  'Content-Length: 0',
  'Content-Length: -1',
  'Content-Length: abc',
  'Content-Length: 0\r\nContent-Length: 1',
  'Transfer-Encoding: gzip',
  'Expect: 100-continue',
  'Expect: nothing',
  'Connection: upgrade\r\nUpgrade: websocket',
  'X: \u0000',
  'Bad Name: 1',
  ': empty',
  ' folded',
  'X-Long: ' + 'v'.repeat(5000),
  'X:\u00ff',
];

const rawRequest = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...LINE_TOKENS), minLength: 1, maxLength: 8 }),
    fc.array(fc.constantFrom(...HEADER_TOKENS), { maxLength: 4 }),
  )
  .map(([line, headers]) => [line, ...headers, 'Connection: close', '', ''].join('\r\n'));

/** Skips interim 1xx responses, such as `100 Continue`, and returns the final one. */
function finalResponse(response: RawResponse): RawResponse {
  let current = response;
  while (current.status >= 100 && current.status < 200) {
    const rest = current.body;
    const next = rest.indexOf('HTTP/1.1 ');
    current = next === -1 ? { status: 0, head: '', body: '' } : parseNext(rest.slice(next));
  }
  return current;
}

function parseNext(raw: string): RawResponse {
  const match = /^HTTP\/1\.1 (\d{3}) [^\r\n]*\r\n/.exec(raw);
  const headEnd = raw.indexOf('\r\n\r\n');
  return {
    status: Number(match?.[1] ?? 0),
    head: raw.slice(match?.[0].length ?? 0, headEnd),
    body: headEnd === -1 ? '' : raw.slice(headEnd + 4),
  };
}

/** Checks that a response is a success, or a 4xx whose body is the matching `Status`. */
function checkResponse(response: RawResponse, request: string): void {
  const excerpt = JSON.stringify(request.slice(0, 200));
  assert.ok(response.status >= 200, `${response.status} for ${excerpt}`);
  assert.ok(response.status < 500, `${response.status} for ${excerpt}`);
  if (response.status < 400) {
    return;
  }

  const length = /\r\nContent-Length: (\d+)/i.exec(`\r\n${response.head}`)?.[1];
  const body = JSON.parse(response.body.slice(0, Number(length))) as StatusBody;
  assert.equal(body.kind, 'Status', excerpt);
  assert.equal(body.code, response.status, excerpt);
  assert.ok(body.message.length > 0, excerpt);
}

describe('query server fuzz', () => {
  let fixture: ServerFixture;
  let port = 0;
  let collectGarbage: () => void;

  before(async () => {
    setFlagsFromString('--expose-gc');
    collectGarbage = runInNewContext('gc') as () => void;
    fixture = await startFixture({
      server: {
        maxUrlLength: 2048,
        maxHeaderSize: 4096,
        headersTimeoutMs: 200,
        requestTimeoutMs: 200,
        connectionsCheckingIntervalMs: 25,
      },
    });
    port = Number(new URL(fixture.baseUrl).port);
  });

  after(async () => {
    await fixture.server.close();
  });

  test('random targets get a response below 500', async () => {
    await fc.assert(
      fc.asyncProperty(target, async (path) => {
        const request = rawGet(path);
        checkResponse(await sendRaw(port, request), request);
      }),
      { numRuns: TARGET_RUNS },
    );
  });

  test('random request lines and headers get a response below 500', async () => {
    await fc.assert(
      fc.asyncProperty(rawRequest, async (request) => {
        checkResponse(finalResponse(await sendRaw(port, request)), request);
      }),
      { numRuns: RAW_RUNS },
    );
  });

  test('server still answers and its heap stays bounded', async () => {
    const request = rawGet('/v1/services?tag=public');
    collectGarbage();
    const before = process.memoryUsage().heapUsed;

    for (let round = 0; round < 300; round += 1) {
      await sendRaw(port, rawGet(`/v1/services?tag=${'x'.repeat(round)}&selector=k%3D${round}`));
    }
    collectGarbage();
    const growth = process.memoryUsage().heapUsed - before;

    assert.equal((await sendRaw(port, request)).status, 200);
    assert.ok(growth < MAX_HEAP_GROWTH_BYTES, `heap grew by ${growth} bytes`);
  });
});
