/**
 * The bare paged LIST in a Node.js process of its own, so that its time does not depend on the
 * heap of the benchmark's process, which keeps the whole data set and every result by then.
 *
 * Run as a script, it reads its settings from the environment (`BENCH_API_SERVER`,
 * `BENCH_API_TOKEN`, `BENCH_API_CA`, `BENCH_PAGE_SIZE`) and prints the `PagedList` as JSON.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { ApiClient } from './api-client.ts';
import { pagedList, type PagedList } from './cluster-load.ts';

const SCRIPT = fileURLToPath(import.meta.url);

/**
 * Runs `pagedList` with `client`'s server and credentials in a child process.
 *
 * @throws Error with the child's standard error when it exits with another code than 0.
 */
export function pagedListInChild(
  client: ApiClient,
  caPath: string,
  pageSize: number,
): Promise<PagedList> {
  const env = {
    ...process.env,
    BENCH_API_SERVER: client.server,
    BENCH_API_TOKEN: client.token,
    BENCH_API_CA: caPath,
    BENCH_PAGE_SIZE: String(pageSize),
  };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [SCRIPT],
      { env, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`the paged LIST process failed: ${stderr}`, { cause: error }));
          return;
        }

        resolve(JSON.parse(stdout) as PagedList);
      },
    );
  });
}

async function main(): Promise<void> {
  const { BENCH_API_SERVER, BENCH_API_TOKEN, BENCH_API_CA, BENCH_PAGE_SIZE } = process.env;
  if (
    BENCH_API_SERVER === undefined ||
    BENCH_API_TOKEN === undefined ||
    BENCH_API_CA === undefined
  ) {
    throw new Error('BENCH_API_SERVER, BENCH_API_TOKEN and BENCH_API_CA must be set');
  }

  const client = new ApiClient(BENCH_API_SERVER, BENCH_API_TOKEN, BENCH_API_CA);
  try {
    const list = await pagedList(client, Number(BENCH_PAGE_SIZE ?? 500));
    process.stdout.write(JSON.stringify(list));
  } finally {
    client.close();
  }
}

if (process.argv[1] === SCRIPT) {
  await main();
}
