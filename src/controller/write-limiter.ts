/**
 * The client-side limit on writes to the API server: a token bucket that refills at `qps` tokens
 * a second up to `burst`. Every status patch and Event takes one token first, so a burst of
 * changes (a relist of many objects, say) cannot flood the API server. Lease writes are exempt,
 * as in client-go, so that a busy leader still renews in time. Reads are not limited: the watch
 * is one long request, and lists are paged.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** Options of a `WriteLimiter`. */
export interface WriteLimiterOptions {
  /** Tokens added per second. */
  readonly qps: number;
  /** The bucket's size: how many writes may go out at once after a quiet period. */
  readonly burst: number;
  /** The clock, in milliseconds. Default: `performance.now`. */
  readonly nowMs?: () => number;
}

/** A token bucket shared by every writer of one process. */
export class WriteLimiter {
  private readonly qps: number;
  private readonly burst: number;
  private readonly nowMs: () => number;
  private tokens: number;
  private updatedMs: number;
  /** Resolves when the previous waiter got its token, so that waiters are served in order. */
  private tail: Promise<void> = Promise.resolve();

  constructor(options: WriteLimiterOptions) {
    this.qps = options.qps;
    this.burst = options.burst;
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.tokens = options.burst;
    this.updatedMs = this.nowMs();
  }

  /** Resolves once a token was taken; waits, in arrival order, while the bucket is empty. */
  acquire(): Promise<void> {
    const turn = this.tail.then(() => this.take());
    this.tail = turn;
    return turn;
  }

  /** Returns how long the next write would wait now, in milliseconds, without taking a token. */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.qps) * 1000;
  }

  private async take(): Promise<void> {
    for (;;) {
      const wait = this.waitMs();
      if (wait === 0) {
        this.tokens -= 1;
        return;
      }
      await delay(wait);
    }
  }

  private refill(): void {
    const now = this.nowMs();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedMs) / 1000) * this.qps);
    this.updatedMs = now;
  }
}
