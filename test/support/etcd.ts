/**
 * etcd's maintenance API through its JSON gateway (`/v3/...` on the client URL), which etcd 3.6
 * serves without extra flags. Values and keys in that API are base64, and 64-bit integers are
 * strings.
 */

/** The response header that every etcd v3 call returns. */
interface ResponseHeader {
  header?: { revision?: string };
}

async function post(etcdUrl: string, path: string, body: object): Promise<unknown> {
  const response = await fetch(`${etcdUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`etcd ${path} returned ${response.status}: ${text}`);
  }
  return JSON.parse(text) as unknown;
}

/** Returns etcd's current revision, read from the header of a range request for one key. */
export async function etcdRevision(etcdUrl: string): Promise<number> {
  // Any key works: the header carries the store's revision whether the key exists or not.
  const key = Buffer.from('/compaction-probe').toString('base64');
  const response = (await post(etcdUrl, '/v3/kv/range', { key })) as ResponseHeader;
  const revision = Number(response.header?.revision);
  if (!Number.isSafeInteger(revision) || revision <= 0) {
    throw new Error(`etcd returned no revision: ${JSON.stringify(response)}`);
  }
  return revision;
}

/**
 * Compacts etcd's history up to its current revision and waits until the compaction is physical,
 * so that every older revision is gone. Returns that revision.
 */
export async function compactEtcd(etcdUrl: string): Promise<number> {
  const revision = await etcdRevision(etcdUrl);
  await post(etcdUrl, '/v3/kv/compaction', { revision: String(revision), physical: true });
  return revision;
}
