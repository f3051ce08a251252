/**
 * Propagation: the time from the API server's acknowledgement of an update to its arrival in a
 * watch stream of the operator's `/v1/services`, beside the arrival of the same event in a bare
 * watch of the API server (the floor). Updates go one at a time: each sets a new value of the
 * attribute `probe`, and the next starts once both watches delivered it. The operator is a
 * follower, so no status write follows an update.
 */
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:http';

import { servicemetadatasPath, type ApiClient } from './api-client.ts';
import type { GeneratedObject } from './dataset.ts';
import { nowMs, summarize, type LatencySummary } from './stats.ts';

/** The propagation latencies of both watches. */
export interface PropagationResult {
  readonly updates: number;
  readonly operator: LatencySummary;
  readonly bareWatch: LatencySummary;
}

const EVENT_TIMEOUT_MS = 30_000;

/** Arrival times of events, keyed by a string that each event carries. */
class Arrivals {
  readonly #times = new Map<string, number>();
  readonly #waiters = new Map<string, () => void>();

  record(key: string): void {
    if (!this.#times.has(key)) {
      this.#times.set(key, nowMs());
    }

    this.#waiters.get(key)?.();
  }

  /** Resolves with the arrival time of `key`, once it arrived. */
  async wait(key: string): Promise<number> {
    const known = this.#times.get(key);
    if (known !== undefined) {
      return known;
    }

    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for the watch event ${key}`));
      }, EVENT_TIMEOUT_MS);
      this.#waiters.set(key, () => {
        clearTimeout(timer);
        this.#waiters.delete(key);
        resolve();
      });
    });
    return this.#times.get(key) as number;
  }
}

/** Calls `onLine` for every complete line of a response. */
function readLines(response: IncomingMessage, onLine: (line: string) => void): void {
  let buffered = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    buffered += chunk;
    let end = buffered.indexOf('\n');
    while (end !== -1) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (line !== '') {
        onLine(line);
      }
      end = buffered.indexOf('\n');
    }
  });
}

interface BareEvent {
  object: { spec: { attributes?: Record<string, string> } };
}

interface OperatorEvent {
  type: string;
  object: { name?: string; attributes?: Record<string, string> };
}

/**
 * Updates each object once, in order, and measures both watches.
 *
 * @throws Error when an event does not arrive within 30 seconds.
 */
export async function measurePropagation(
  client: ApiClient,
  operatorUrl: string,
  objects: readonly GeneratedObject[],
): Promise<PropagationResult> {
  const [first] = objects;
  if (first === undefined) {
    throw new Error('propagation needs at least one object');
  }

  const namespace = first.namespace;
  const operatorArrivals = new Arrivals();
  const bareArrivals = new Arrivals();

  const list = JSON.parse(
    await client.sendOk('GET', `${servicemetadatasPath(namespace)}?limit=1`),
  ) as { metadata: { resourceVersion: string } };
  const bare = client.open(
    `${servicemetadatasPath(namespace)}?watch=1&resourceVersion=${list.metadata.resourceVersion}`,
  );
  const bareOpen = once(bare, 'response');
  bare.on('response', (response: IncomingMessage) => {
    readLines(response, (line) => {
      const { object } = JSON.parse(line) as BareEvent;
      const probe = object.spec.attributes?.probe;
      if (probe === undefined) {
        return;
      }

      bareArrivals.record(probe);
    });
  });
  bare.end();

  let bookmarked = (): void => undefined;
  const stream = request(`${operatorUrl}/v1/services?watch=true&namespace=${namespace}`);
  // The stream's first BOOKMARK ends its snapshot: from then on every change arrives as an event.
  const streamOpen = new Promise<void>((resolve) => {
    bookmarked = resolve;
  });
  stream.on('response', (response: IncomingMessage) => {
    readLines(response, (line) => {
      const event = JSON.parse(line) as OperatorEvent;
      if (event.type === 'BOOKMARK') {
        bookmarked();
      }

      const probe = event.object.attributes?.probe;
      if (event.type === 'MODIFIED' && probe !== undefined) {
        operatorArrivals.record(probe);
      }
    });
  });
  stream.end();

  await Promise.all([bareOpen, streamOpen]);
  const operatorSamples: number[] = [];
  const bareSamples: number[] = [];
  try {
    for (const [position, object] of objects.entries()) {
      const probe = `p${position}`;
      const path = `${servicemetadatasPath(object.namespace)}/${object.name}`;
      const patch = { spec: { attributes: { probe } } };
      await client.sendOk('PATCH', path, patch, 'application/merge-patch+json');
      const acknowledged = nowMs();

      operatorSamples.push((await operatorArrivals.wait(probe)) - acknowledged);
      bareSamples.push((await bareArrivals.wait(probe)) - acknowledged);
    }
  } finally {
    bare.destroy();
    stream.destroy();
  }

  return {
    updates: objects.length,
    operator: summarize(operatorSamples),
    bareWatch: summarize(bareSamples),
  };
}
