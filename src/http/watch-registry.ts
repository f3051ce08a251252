/**
 * The open watch streams of the query endpoint: it caps their number in total and per caller,
 * counts them in metrics, and ends them all when the server shuts down, so that `close()` never
 * waits on a stream.
 */
import type { IndexReader } from '../index/reader.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ServiceQuery } from '../query/model.ts';
import { serviceUnavailable, tooManyRequests } from './status.ts';
import { WatchStream, type WatchEndReason } from './watch-stream.ts';

/** Default of `WatchRegistryOptions.maxStreams`: watch streams open at once. */
export const DEFAULT_MAX_WATCH_STREAMS = 100;

/** Default of `WatchRegistryOptions.maxStreamsPerCaller`: watch streams of one caller. */
export const DEFAULT_MAX_WATCH_STREAMS_PER_CALLER = 10;

/** Default of `WatchRegistryOptions.maxBufferBytes`: 1 MiB. */
export const DEFAULT_WATCH_MAX_BUFFER_BYTES = 1024 * 1024;

/** Default of `WatchRegistryOptions.bookmarkIntervalMs`: one second. */
export const DEFAULT_WATCH_BOOKMARK_INTERVAL_MS = 1000;

/** Seconds after which a client that got a 429 for a watch may try again. */
const RETRY_AFTER_SECONDS = 5;

/** Options of a `WatchRegistry`. */
export interface WatchRegistryOptions {
  readonly index: IndexReader;
  /** Maximum number of streams open at once; a request past it gets a 429. */
  readonly maxStreams: number;
  /** Maximum number of streams that one caller may have open; a request past it gets a 429. */
  readonly maxStreamsPerCaller: number;
  /** Maximum bytes that a stream queues and buffers for a slow client before it expires. */
  readonly maxBufferBytes: number;
  /** Minimum time between two bookmarks of a stream, in milliseconds. */
  readonly bookmarkIntervalMs: number;
  /** Receives the open streams in `watchStreams` and each end in `watchStreamsEndedTotal`. */
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** The open watch streams, at most `maxStreams` of them. */
export class WatchRegistry {
  readonly #options: WatchRegistryOptions;
  readonly #streams = new Set<WatchStream>();
  /** The number of open streams of each caller that has one; a caller at 0 is deleted. */
  readonly #streamsByCaller = new Map<string, number>();
  #closed = false;

  /** @throws RangeError when a bound is not a positive integer. */
  constructor(options: WatchRegistryOptions) {
    checkPositiveInteger('maxWatchStreams', options.maxStreams);
    checkPositiveInteger('maxWatchStreamsPerCaller', options.maxStreamsPerCaller);
    checkPositiveInteger('watchMaxBufferBytes', options.maxBufferBytes);
    if (!Number.isFinite(options.bookmarkIntervalMs) || options.bookmarkIntervalMs < 0) {
      const value = String(options.bookmarkIntervalMs);
      throw new RangeError(`invalid watchBookmarkIntervalMs ${value}: must be 0 or more`);
    }

    this.#options = options;
  }

  /** Number of streams open now. */
  get size(): number {
    return this.#streams.size;
  }

  /** Number of streams that `caller` has open now. */
  sizeOf(caller: string): number {
    return this.#streamsByCaller.get(caller) ?? 0;
  }

  /**
   * Opens a stream of the matches of `query` for `caller`: takes the snapshot and subscribes to
   * the index.
   *
   * @param caller - The key that `maxStreamsPerCaller` counts the stream under.
   * @param timeoutMs - Time after which the stream ends by itself; absent for no limit.
   * @throws StatusError 429 `TooManyRequests` when `maxStreams` streams are open, or `caller` has
   *   `maxStreamsPerCaller` open, and 503 `ServiceUnavailable` after `closeAll` until `reopen`.
   */
  open(query: ServiceQuery, caller: string, timeoutMs?: number): WatchStream {
    if (this.#closed) {
      throw serviceUnavailable('the server is shutting down; open the watch on another replica');
    }

    this.#checkCapacity(caller);

    const stream = new WatchStream({
      index: this.#options.index,
      query,
      maxBufferBytes: this.#options.maxBufferBytes,
      bookmarkIntervalMs: this.#options.bookmarkIntervalMs,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      onError: (error) => this.#options.logger.error({ err: error }, 'failed to send watch event'),
      onEnd: (ended, reason, detail) => this.#forget(ended, caller, reason, detail),
    });
    this.#streams.add(stream);
    this.#streamsByCaller.set(caller, this.sizeOf(caller) + 1);
    this.#options.metrics.watchStreams.set(this.#streams.size);
    return stream;
  }

  /** Ends every open stream and rejects new ones, as the server does when it shuts down. */
  closeAll(): void {
    this.#closed = true;
    for (const stream of [...this.#streams]) {
      stream.end('shutdown');
    }
  }

  /** Accepts streams again after `closeAll`, as when the server listens again. */
  reopen(): void {
    this.#closed = false;
  }

  /** Throws the 429 of the first cap that one more stream of `caller` would exceed. */
  #checkCapacity(caller: string): void {
    const { maxStreams, maxStreamsPerCaller } = this.#options;
    if (this.#streams.size >= maxStreams) {
      const message =
        `too many watch streams: ${this.#streams.size} are open and the limit is ` +
        `${maxStreams}; retry later or use waitForChange`;
      throw tooManyRequests(message, RETRY_AFTER_SECONDS);
    }

    const open = this.sizeOf(caller);
    if (open >= maxStreamsPerCaller) {
      const message =
        `too many watch streams from this client: it has ${open} open and the limit per ` +
        `client is ${maxStreamsPerCaller}; close one, or use waitForChange`;
      throw tooManyRequests(message, RETRY_AFTER_SECONDS);
    }
  }

  #forget(
    stream: WatchStream,
    caller: string,
    reason: WatchEndReason,
    detail: string | undefined,
  ): void {
    if (!this.#streams.delete(stream)) {
      return;
    }

    const remaining = this.sizeOf(caller) - 1;
    if (remaining > 0) {
      this.#streamsByCaller.set(caller, remaining);
    } else {
      this.#streamsByCaller.delete(caller);
    }

    const { metrics, logger } = this.#options;
    metrics.watchStreams.set(this.#streams.size);
    metrics.watchStreamsEndedTotal.inc({ reason });

    if (reason === 'expired') {
      logger.info({ reason, detail }, 'watch stream expired');
    } else {
      logger.debug({ reason }, 'watch stream ended');
    }
  }
}

function checkPositiveInteger(option: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`invalid ${option} ${value}: must be a positive integer`);
  }
}
