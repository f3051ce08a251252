/**
 * What a user could do without the operator, and the load that puts the data set in place: creates
 * through a bounded pool, a bare paged LIST, and raw status PATCHes.
 */
import { setTimeout as delay } from 'node:timers/promises';

import { manifestOf, type GeneratedObject } from './dataset.ts';
import { runPool, servicemetadatasPath, type ApiClient } from './api-client.ts';
import { nowMs } from './stats.ts';

/** How many creates are in flight at once while loading. */
export const CREATE_CONCURRENCY = 64;
const MAX_ATTEMPTS = 5;

/**
 * Creates objects through the API server with at most `CREATE_CONCURRENCY` creates in flight,
 * retrying a create that got 429 or a 5xx. Returns the creates per second.
 *
 * @throws Error when a create fails for another reason or after the last attempt.
 */
export async function createObjects(
  client: ApiClient,
  objects: readonly GeneratedObject[],
): Promise<number> {
  const start = nowMs();
  await runPool(objects, CREATE_CONCURRENCY, async (object) => {
    const path = servicemetadatasPath(object.namespace);
    for (let attempt = 1; ; attempt += 1) {
      const response = await client.send('POST', path, manifestOf(object));
      if (response.status === 201) {
        return;
      }

      const retriable = response.status === 429 || response.status >= 500;
      if (!retriable || attempt === MAX_ATTEMPTS) {
        const detail = response.body.slice(0, 300);
        throw new Error(`failed to create ${object.namespace}/${object.name}: ${detail}`);
      }

      await delay(100 * attempt);
    }
  });
  return objects.length / ((nowMs() - start) / 1000);
}

/** The outcome of one paged LIST of every object. */
export interface PagedList {
  readonly objects: number;
  readonly durationMs: number;
  /** Mean JSON size of one item as the API server returns it, in bytes. */
  readonly meanItemJsonBytes: number;
  /** The resourceVersion of the list. */
  readonly resourceVersion: string;
}

interface ListBody {
  metadata: { continue?: string; resourceVersion: string };
  items: unknown[];
}

/** Lists every `ServiceMetadata` object in pages of `pageSize`, parsing each page. */
export async function pagedList(client: ApiClient, pageSize: number): Promise<PagedList> {
  const start = nowMs();
  let objects = 0;
  let itemBytes = 0;
  let resourceVersion = '';
  let token: string | undefined;
  const items: unknown[] = [];
  do {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (token !== undefined) {
      query.set('continue', token);
    }

    const page = JSON.parse(
      await client.sendOk('GET', `${servicemetadatasPath()}?${query.toString()}`),
    ) as ListBody;
    objects += page.items.length;
    items.push(...page.items);
    resourceVersion ||= page.metadata.resourceVersion;
    token = page.metadata.continue === '' ? undefined : page.metadata.continue;
  } while (token !== undefined);
  const durationMs = nowMs() - start;

  for (const item of items) {
    itemBytes += JSON.stringify(item).length;
  }

  return {
    objects,
    durationMs,
    meanItemJsonBytes: objects === 0 ? 0 : itemBytes / objects,
    resourceVersion,
  };
}

/**
 * Patches the status of each object with a JSON merge patch that sets `observedGeneration` to 0,
 * with `concurrency` patches in flight, and returns the patches per second. The change is real, so
 * every patch writes to etcd, and the operator rewrites each status when it next syncs.
 */
export async function patchStatuses(
  client: ApiClient,
  objects: readonly GeneratedObject[],
  concurrency: number,
): Promise<number> {
  const start = nowMs();
  await runPool(objects, concurrency, async (object) => {
    const path = `${servicemetadatasPath(object.namespace)}/${object.name}/status`;
    await client.sendOk(
      'PATCH',
      path,
      { status: { observedGeneration: 0 } },
      'application/merge-patch+json',
    );
  });
  return objects.length / ((nowMs() - start) / 1000);
}
