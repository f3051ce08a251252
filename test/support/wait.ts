import { setTimeout as delay } from 'node:timers/promises';

/** Options of `waitFor`. */
export interface WaitOptions {
  /** Give up after this many milliseconds. Default: 60,000. */
  timeoutMs?: number;
  /** Pause between attempts, in milliseconds. Default: 100. */
  intervalMs?: number;
}

/**
 * Calls `check` until it returns a value other than undefined or false, and returns that value.
 * Throws after the deadline, with `description` and the last error or value in the message.
 */
export async function waitFor<T>(
  description: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) {
        return value;
      }
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out waiting for ${description}; last result: ${detail}`);
    }
    await delay(options.intervalMs ?? 100);
  }
}
