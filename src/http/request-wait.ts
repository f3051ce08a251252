/**
 * One wait of a blocking request. It ends exactly once: when the code that owns it wakes it, at
 * its deadline, or when the request's signal aborts because the client disconnected or the
 * server is shutting down. Its owners wake it from index
 * notifications, so nothing polls.
 */

/** The outcome of a `RequestWait`. */
export type WaitOutcome = 'woken' | 'timeout' | 'aborted';

/** A wait that ends when woken, after `timeoutMs`, or when `signal` aborts. */
export class RequestWait {
  /** Resolves with the outcome once the wait ends; it never rejects. */
  readonly promise: Promise<WaitOutcome>;
  readonly #resolve: (outcome: WaitOutcome) => void;
  readonly #signal: AbortSignal;
  readonly #onAbort = (): void => this.end('aborted');
  readonly #onEnd: (wait: RequestWait) => void;
  #timer: NodeJS.Timeout | undefined;
  #ended = false;

  /**
   * Starts the wait. A `timeoutMs` of 0 or less, or a signal that already aborted, ends it at once.
   *
   * @param onEnd - Called with this wait once it ends, however it ends, so the owner can drop it.
   *   It may run before the constructor returns.
   */
  constructor(
    timeoutMs: number,
    signal: AbortSignal,
    onEnd: (wait: RequestWait) => void = () => undefined,
  ) {
    const { promise, resolve } = Promise.withResolvers<WaitOutcome>();
    this.promise = promise;
    this.#resolve = resolve;
    this.#signal = signal;
    this.#onEnd = onEnd;

    if (signal.aborted) {
      this.end('aborted');
      return;
    }

    if (timeoutMs <= 0) {
      this.end('timeout');
      return;
    }

    signal.addEventListener('abort', this.#onAbort, { once: true });
    this.#timer = setTimeout(() => this.end('timeout'), timeoutMs);
  }

  /** Whether the wait has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Ends the wait with `outcome`; later calls do nothing. */
  end(outcome: WaitOutcome): void {
    if (this.#ended) {
      return;
    }

    this.#ended = true;
    clearTimeout(this.#timer);
    this.#signal.removeEventListener('abort', this.#onAbort);
    this.#onEnd(this);
    this.#resolve(outcome);
  }
}
