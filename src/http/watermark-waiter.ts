/**
 * The wait behind `minResourceVersion` and a `continue` token of another replica: a request that
 * needs the index to have applied every watch event up to a resourceVersion waits here until the
 * watermark reaches it. The index's `onWatermark` notification wakes the waits, so a replica that
 * catches up serves them at once and nothing polls.
 */
import type { IndexReader } from '../index/reader.ts';
import { RequestWait, type WaitOutcome } from './request-wait.ts';

/** The pending waits for the watermark of one index, woken by its watermark advances. */
export class WatermarkWaiter {
  readonly #index: IndexReader;
  /** Each wait in progress, with the resourceVersion that it waits for. */
  readonly #waits = new Map<RequestWait, bigint>();

  /** Creates a waiter over `index`; the owner passes every `onWatermark` notification on. */
  constructor(index: IndexReader) {
    this.#index = index;
  }

  /** Number of waits in progress. */
  get size(): number {
    return this.#waits.size;
  }

  /** Tells whether the index watermark is at or above `target`. */
  reached(target: bigint): boolean {
    return BigInt(this.#index.watermark) >= target;
  }

  /**
   * Waits until the watermark is at or above `target`. Resolves `woken` at once when it already
   * is, `timeout` after `timeoutMs`, and `aborted` when `signal` aborts first.
   */
  waitFor(target: bigint, timeoutMs: number, signal: AbortSignal): Promise<WaitOutcome> {
    if (this.reached(target)) {
      return Promise.resolve('woken');
    }

    const wait = new RequestWait(timeoutMs, signal, (ended) => this.#waits.delete(ended));
    if (!wait.ended) {
      this.#waits.set(wait, target);
    }

    return wait.promise;
  }

  /** Wakes every wait whose target the new watermark reaches. */
  onWatermark(watermark: string): void {
    const value = BigInt(watermark);
    for (const [wait, target] of [...this.#waits]) {
      if (target <= value) {
        wait.end('woken');
      }
    }
  }
}
