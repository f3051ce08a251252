/**
 * Queries that the soak run sends to the query endpoint: a fixed set before each measurement, so
 * that the result cache contains the same kind of entries each time, and a steady trickle during the
 * churn, so that cache entries are created and invalidated all along.
 */
import { setTimeout as delay } from 'node:timers/promises';

const QUERIES: readonly string[] = [
  'environment=production',
  'environment=staging&region=eu-west',
  'tag=tag-1',
  'tag=tag-2&tag=tag-3',
  'anyTag=tag-4&anyTag=tag-5',
  'version=%3E%3D2.0.0',
  'version=%3E%3D1.0.0%20%3C3.0.0&environment=production',
  'selector=key-1%3Dvalue-1',
  'selector=key-2',
  'namespace=soak-0',
  'namespace=soak-1&environment=test',
  'region=us-east&tag=tag-10',
];

/** Sends every query of the fixed set once, one at a time, and checks that each returns 200. */
export async function warmUp(baseUrl: string): Promise<void> {
  for (const search of QUERIES) {
    const response = await fetch(`${baseUrl}/v1/services?${search}`);
    await response.arrayBuffer();
    if (response.status !== 200) {
      throw new Error(`query ${search} returned ${response.status}, expected 200`);
    }
  }
}

/** Sends one query of the fixed set about every 100 ms until `deadline`; failures are counted. */
export async function queryLoad(baseUrl: string, deadline: number): Promise<number> {
  let failures = 0;
  for (let count = 0; Date.now() < deadline; count += 1) {
    const search = QUERIES[count % QUERIES.length] ?? '';
    try {
      const response = await fetch(`${baseUrl}/v1/services?${search}`);
      await response.arrayBuffer();
      failures += response.status === 200 ? 0 : 1;
    } catch {
      failures += 1;
    }
    await delay(100);
  }
  return failures;
}
