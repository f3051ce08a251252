/**
 * A work queue of object keys, with client-go's semantics: a key waits in the queue at most once,
 * however often it is added; a key that is added while a worker processes it is queued again when
 * that worker calls `done`, so two workers never hold the same key; and a failed key comes back
 * after a capped exponential backoff that `forget` resets.
 */
import { backoffDelayMs, type BackoffOptions } from './backoff.ts';

/** Consumed keys that may stay at the front of the queue's array before it is compacted. */
const COMPACT_MIN_HEAD = 1024;

/** A work queue of string keys. */
export class WorkQueue {
  /** The waiting keys from index `head` on; `get` advances `head` instead of shifting. */
  private queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly backoff: BackoffOptions;
  private readonly onLength: (length: number) => void;
  private shuttingDown = false;

  /** `onLength` receives the number of waiting keys each time it changes, as for a gauge. */
  constructor(backoff: BackoffOptions, onLength: (length: number) => void = () => undefined) {
    this.backoff = backoff;
    this.onLength = onLength;
  }

  /** Number of keys waiting to be processed. */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Adds a key, unless it is already waiting. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) {
      return;
    }
    this.dirty.add(key);
    if (this.processing.has(key)) {
      return;
    }

    const waiter = this.waiters.shift();
    if (waiter === undefined) {
      this.queue.push(key);
      this.onLength(this.length);
      return;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    waiter(key);
  }

  /** Adds a key after `delayMs` milliseconds. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) {
      return;
    }
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.add(key);
    }, delayMs);
    this.timers.add(timer);
  }

  /**
   * Adds a key after its backoff delay, which doubles with each failure since the last `forget`,
   * or after `delayMs` when the caller knows better (a server's Retry-After). Returns the delay.
   */
  addRateLimited(key: string, delayMs?: number): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const delay = delayMs ?? backoffDelayMs(failures, this.backoff);
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets the failure count of a key, after it was processed successfully. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /**
   * Resolves with the next key, which the caller must pass to `done` when finished, or with
   * undefined once the queue was shut down.
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) {
      return Promise.resolve(undefined);
    }
    const key = this.takeNext();
    if (key !== undefined) {
      this.onLength(this.length);
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Removes the first waiting key. `Array.prototype.shift` copies the rest of a large array, which
   * made draining the keys of an initial list of 100,000 objects quadratic. The consumed front is
   * dropped once it is more than half of the array.
   */
  private takeNext(): string | undefined {
    if (this.head === this.queue.length) {
      return undefined;
    }

    const key = this.queue[this.head];
    this.head += 1;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > COMPACT_MIN_HEAD && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }

    return key;
  }

  /** Marks a key as processed; a key added meanwhile is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  /** Stops the queue: pending timers are cancelled, and waiting and later `get` calls return undefined. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
    for (const waiter of this.waiters.splice(0)) {
      waiter(undefined);
    }
  }
}
