import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { StatusBody } from '../../../src/http/status.ts';
import { startFixture, type ServerFixture } from './server-fixture.ts';

/** Sends raw bytes to the server and returns everything it answers before closing. */
async function sendRaw(port: number, request: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(request);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('latin1');
}

function statusBody(response: string): StatusBody {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as StatusBody;
}

let fixture: ServerFixture;

function port(): number {
  return Number(new URL(fixture.baseUrl).port);
}

describe('client errors', () => {
  before(async () => {
    fixture = await startFixture();
  });

  after(async () => {
    await fixture.server.close();
  });

  it('answers a raw non-ASCII URL byte with a Status', async () => {
    const response = await sendRaw(port(), 'GET /v1/services?tag=\xe9 HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(response, /^HTTP\/1\.1 400 /);
    const body = statusBody(response);
    assert.equal(body.kind, 'Status');
    assert.equal(body.code, 400);
    assert.equal(body.reason, 'BadRequest');
    assert.match(body.message, /percent-encode every byte outside printable ASCII in the URL$/);
  });

  it('answers oversized headers with 431 and a Status', async () => {
    const response = await sendRaw(
      port(),
      `GET /v1/services?tag=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    assert.match(response, /^HTTP\/1\.1 431 /);
    assert.equal(statusBody(response).code, 431);
  });

  it('answers a garbage request line with a Status', async () => {
    const response = await sendRaw(port(), 'NOT HTTP AT ALL\r\n\r\n');
    assert.match(response, /^HTTP\/1\.1 400 /);
    assert.equal(statusBody(response).kind, 'Status');
    assert.match(statusBody(response).message, /; send a plain HTTP\/1\.1 request$/);
  });
});
