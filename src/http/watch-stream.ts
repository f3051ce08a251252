/**
 * One watch stream of `GET /v1/services?watch=true`: newline-delimited JSON, one
 * `{"type": ..., "object": ...}` event per line. It opens with an `ADDED` event per current match,
 * in the query's sort order, and one `BOOKMARK` whose object is `{"resourceVersion": ...}` with the
 * watermark of that snapshot. Then `ADDED`, `MODIFIED` and `DELETED` follow for items that enter,
 * change within or leave the result, in the order of the index's changes, and a `BOOKMARK` when
 * the watermark advances, at most one per bookmark interval.
 *
 * Memory stays bounded. The snapshot holds references to the index's frozen records and is
 * serialized only as the socket drains. The events queued behind it, plus what the response has
 * buffered, may not exceed `maxBufferBytes` once the event loop has had a turn to flush them. A
 * reader that falls further behind gets a final `ERROR` event whose object is a `Status` of
 * reason `Expired` (410), and is disconnected. A burst of changes applied in one synchronous step
 * is buffered whole before that check, so its size bounds the memory of one stream too. The
 * reason is Expired rather than TooManyRequests because the stream has lost events for good: the
 * client must start a new watch, whose ADDED events replace its copy, and a retry of the same
 * stream could not recover them.
 */
import type { Writable } from 'node:stream';

import type { IndexChange, IndexReader } from '../index/reader.ts';
import type { MetadataRecord } from '../index/record.ts';
import { compileQuery, type CompiledQuery } from '../query/matcher.ts';
import type { ServiceQuery } from '../query/model.ts';
import { resultEvent } from './query-change.ts';
import { toServiceItem } from './service-item.ts';
import { StatusError, toStatusBody } from './status.ts';

/** The reason that a watch stream ended, also the `reason` label of `watchStreamsEndedTotal`. */
export type WatchEndReason = 'client' | 'expired' | 'timeout' | 'shutdown' | 'error';

/**
 * Time in ms that an expired stream may take to deliver its `ERROR` event before its connection
 * is destroyed, so that a client that stopped reading cannot hold the connection open.
 */
export const EXPIRED_STREAM_GRACE_MS = 5000;

/** Number of snapshot items serialized per write. */
const SNAPSHOT_BATCH_ITEMS = 100;

/** Options of a `WatchStream`. */
export interface WatchStreamOptions {
  readonly index: IndexReader;
  /** The query whose matches the stream reports; it must already be valid. */
  readonly query: ServiceQuery;
  /** Maximum bytes queued and buffered for the client before the stream expires. */
  readonly maxBufferBytes: number;
  /** Minimum time between two bookmarks after the first, in milliseconds. */
  readonly bookmarkIntervalMs: number;
  /** Time after which the stream ends by itself, in milliseconds; absent for no limit. */
  readonly timeoutMs?: number;
  /** Receives an error thrown while handling an index notification, after the stream ended. */
  readonly onError: (error: unknown) => void;
  /** Called once when the stream ends, with the reason. */
  readonly onEnd: (stream: WatchStream, reason: WatchEndReason, detail?: string) => void;
}

/** One watch stream: subscribed to the index from its creation, writing once started. */
export class WatchStream {
  /** The watermark of the snapshot, as the first `BOOKMARK` reports it. */
  readonly resourceVersion: string;
  readonly #options: WatchStreamOptions;
  readonly #compiled: CompiledQuery;
  readonly #unsubscribe: () => void;
  #snapshot: readonly MetadataRecord[];
  #snapshotNext = 0;
  #queue: string[] = [];
  #queueBytes = 0;
  #sink: Writable | undefined;
  #waitingForDrain = false;
  #ended = false;
  #lastBookmarkAt = performance.now();
  #lastBookmarkVersion: string;
  #bookmarkTimer: NodeJS.Timeout | undefined;
  #timeoutTimer: NodeJS.Timeout | undefined;
  #backlogCheck: NodeJS.Immediate | undefined;

  /**
   * Takes the snapshot of the current matches and subscribes to the index in one synchronous
   * step, so that no change falls between them. Events queue until `start`.
   *
   * @throws QueryError when the query is invalid.
   */
  constructor(options: WatchStreamOptions) {
    this.#options = options;
    this.#compiled = compileQuery(options.query);
    this.#snapshot = options.index.query(options.query).items;
    this.resourceVersion = options.index.watermark;
    this.#lastBookmarkVersion = this.resourceVersion;
    this.#queue.push(eventLine('BOOKMARK', { resourceVersion: this.resourceVersion }));

    this.#unsubscribe = options.index.subscribe({
      onChange: (change) => this.#guard(() => this.#onChange(change)),
      onWatermark: (watermark) => this.#guard(() => this.#onWatermark(watermark)),
    });
  }

  /** Whether the stream has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Starts writing the events to `sink`, the response whose head was sent. */
  start(sink: Writable): void {
    if (this.#ended) {
      sink.end();
      return;
    }

    this.#sink = sink;
    sink.on('drain', () => {
      this.#waitingForDrain = false;
      this.#pump();
    });
    sink.on('close', () => this.end('client'));
    sink.on('error', () => this.end('client'));

    if (this.#options.timeoutMs !== undefined) {
      this.#timeoutTimer = setTimeout(() => this.end('timeout'), this.#options.timeoutMs);
    }

    this.#pump();
  }

  /**
   * Ends the stream: unsubscribes from the index, stops its timers and ends the response after
   * what was already written. Later calls do nothing.
   */
  end(reason: WatchEndReason, detail?: string): void {
    if (this.#ended) {
      return;
    }

    this.#ended = true;
    this.#unsubscribe();
    clearTimeout(this.#bookmarkTimer);
    clearTimeout(this.#timeoutTimer);
    clearImmediate(this.#backlogCheck);
    this.#snapshot = [];
    this.#queue = [];
    this.#queueBytes = 0;

    const sink = this.#sink;
    if (sink !== undefined && !sink.destroyed && !sink.writableEnded) {
      sink.end();
    }

    this.#options.onEnd(this, reason, detail);
  }

  #onChange(change: IndexChange): void {
    const event = resultEvent(this.#compiled, change);
    if (event !== undefined) {
      this.#enqueue(eventLine(event.type, toServiceItem(event.record)));
    }
  }

  #onWatermark(watermark: string): void {
    const elapsedMs = performance.now() - this.#lastBookmarkAt;
    if (elapsedMs >= this.#options.bookmarkIntervalMs) {
      this.#sendBookmark(watermark);
      return;
    }

    // Coalesce: one timer sends the watermark of its time, however often it moved meanwhile.
    if (this.#bookmarkTimer === undefined) {
      this.#bookmarkTimer = setTimeout(() => {
        this.#bookmarkTimer = undefined;
        this.#guard(() => this.#sendBookmark(this.#options.index.watermark));
      }, this.#options.bookmarkIntervalMs - elapsedMs);
      this.#bookmarkTimer.unref();
    }
  }

  #sendBookmark(watermark: string): void {
    if (this.#ended || watermark === this.#lastBookmarkVersion) {
      return;
    }

    this.#lastBookmarkAt = performance.now();
    this.#lastBookmarkVersion = watermark;
    this.#enqueue(eventLine('BOOKMARK', { resourceVersion: watermark }));
  }

  #enqueue(line: string): void {
    this.#queue.push(line);
    this.#queueBytes += Buffer.byteLength(line);
    this.#pump();

    // The response corks the socket until the next tick, so its buffer contains a whole burst of
    // events even for a fast reader. Only what is still waiting a turn later shows a slow one.
    this.#backlogCheck ??= setImmediate(() => {
      this.#backlogCheck = undefined;
      this.#guard(() => this.#checkBacklog());
    });
  }

  #checkBacklog(): void {
    const backlog = this.#queueBytes + (this.#sink?.writableLength ?? 0);
    if (backlog > this.#options.maxBufferBytes) {
      this.#expire(backlog);
    }
  }

  /** Writes the snapshot and then the queue until a write returns false, then waits for `drain`. */
  #pump(): void {
    const sink = this.#sink;
    while (sink !== undefined && !this.#ended && !this.#waitingForDrain) {
      const chunk = this.#nextChunk();
      if (chunk === undefined) {
        return;
      }

      this.#waitingForDrain = !sink.write(chunk);
    }
  }

  #nextChunk(): string | undefined {
    if (this.#snapshotNext < this.#snapshot.length) {
      const end = Math.min(this.#snapshot.length, this.#snapshotNext + SNAPSHOT_BATCH_ITEMS);
      const records = this.#snapshot.slice(this.#snapshotNext, end);
      this.#snapshotNext = end;
      return records.map((record) => eventLine('ADDED', toServiceItem(record))).join('');
    }

    if (this.#queue.length === 0) {
      return undefined;
    }

    const chunk = this.#queue.join('');
    this.#queue = [];
    this.#queueBytes = 0;
    return chunk;
  }

  /** Sends the `ERROR` event past the bound, ends the stream, and cuts a client that stays stuck. */
  #expire(backlog: number): void {
    const sink = this.#sink;
    const message =
      `the watch client fell behind: ${backlog} bytes wait to be sent, over the limit of ` +
      `${this.#options.maxBufferBytes}; events were dropped, so start a new watch`;
    if (sink !== undefined) {
      sink.write(eventLine('ERROR', toStatusBody(new StatusError(410, 'Expired', message))));
      const timer = setTimeout(() => sink.destroy(), EXPIRED_STREAM_GRACE_MS);
      timer.unref();
      sink.once('finish', () => clearTimeout(timer));
      sink.once('close', () => clearTimeout(timer));
    }

    this.end('expired', message);
  }

  /**
   * Runs an index notification so that an error ends this stream instead of reaching the index's
   * writer, which would otherwise see the error of one HTTP client.
   */
  #guard(run: () => void): void {
    if (this.#ended) {
      return;
    }

    try {
      run();
    } catch (error) {
      this.end('error');
      this.#options.onError(error);
    }
  }
}

/** Serializes one event as a line of newline-delimited JSON. */
function eventLine(type: string, object: unknown): string {
  return `${JSON.stringify({ type, object })}\n`;
}
