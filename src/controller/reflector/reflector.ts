/**
 * The reflector: lists the objects of one custom resource in pages, watches them through
 * @kubernetes/client-node's `Watch`, keeps the latest copy of each in an `ObjectStore`, and
 * reports every change in order. The decisions (when to list, relist, re-watch or back off) are
 * made by the pure state machine in machine.ts; this class only performs them.
 *
 * List pages go through `ListRequester` (list-request.ts) rather than the generated API client,
 * which opens a new connection per page. The library's own `ListWatch` (2.0.1) is not used. It
 * stops for good after any error other than 410 Gone and its inactivity timeout, and it matches a
 * relist by namespace and name alone. It also reads the list in one piece, requests no bookmarks
 * and stores whole objects.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../api/types.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { BackoffOptions } from '../backoff.ts';
import { describeApiError, httpStatusOf } from '../errors.ts';
import {
  step,
  type ListReason,
  type ReflectorAction,
  type ReflectorInput,
  type ReflectorState,
  type WatchEvent,
} from './machine.ts';
import { ListRequester } from './list-request.ts';
import { ObjectStore, type Delta, type StoredObject } from './store.ts';

/** Options of a `Reflector`. */
export interface ReflectorOptions<T extends StoredObject> {
  /** The plural of the resource in the `mesh.datapunk.io/v1alpha1` API group. */
  readonly plural: string;
  /** Turns an object as the API server returns it into the form the store keeps. */
  readonly toStored: (raw: unknown) => T;
  readonly kubeConfig: KubeConfig;
  /** The namespace to list and watch; undefined for all namespaces. */
  readonly namespace?: string;
  /** Objects per list page (`limit`). */
  readonly pageSize: number;
  /** Server-side watch timeout (`timeoutSeconds`), after which the watch restarts. */
  readonly watchTimeoutSeconds: number;
  /** A watch that receives no bytes for this long is abandoned and restarted. */
  readonly watchInactivityTimeoutMs: number;
  readonly backoff: BackoffOptions;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /**
   * Receives the changes of each complete list, watch event and bookmark, in order, with the
   * resourceVersion up to which the store is now complete. Bookmarks carry no changes.
   */
  readonly onChange: (deltas: readonly Delta<T>[], resourceVersion: string) => void;
  /** Called each time the API server accepts a watch. */
  readonly onWatchAccepted?: () => void;
}

/** Lists and watches one namespace, or all of them, and keeps a store of the objects seen. */
export class Reflector<T extends StoredObject> {
  readonly store = new ObjectStore<T>();
  private readonly options: ReflectorOptions<T>;
  private readonly lists: ListRequester;
  private readonly watcher: Watch;
  private readonly logger: Logger;
  private state: ReflectorState = { phase: 'idle' };
  private pages: T[] = [];
  private watchAbort?: AbortController;
  private timer?: NodeJS.Timeout;
  private listed = false;
  private accepted = false;
  private failure?: string;
  private lastEventMs = Date.now();
  private position = '0';

  constructor(options: ReflectorOptions<T>) {
    this.options = options;
    this.lists = new ListRequester(options.kubeConfig);
    this.watcher = new Watch(options.kubeConfig);
    // NOTE: client-node 2.0.1 declares requestTimeoutMs private, but every watch reads it as its
    // inactivity timeout. Its default of 30 s is below the API server's bookmark interval of about
    // a minute, so a quiet watch would be cut. Setting the field is the only way to change it.
    (this.watcher as unknown as { requestTimeoutMs: number }).requestTimeoutMs =
      options.watchInactivityTimeoutMs;
    this.logger = options.logger.child({
      resource: options.plural,
      scope: options.namespace ?? '*',
    });
  }

  /** Whether a complete list was published and a watch accepted since the start. */
  get synced(): boolean {
    return this.listed && this.accepted;
  }

  /** The latest error that keeps the reflector from being synced, for readiness reports. */
  get lastFailure(): string | undefined {
    return this.failure;
  }

  /** The resourceVersion up to which the store is complete; `"0"` before the first list. */
  get resourceVersion(): string {
    return this.position;
  }

  /** Milliseconds since the epoch of the last list, watch event or bookmark. */
  get lastEventAtMs(): number {
    return this.lastEventMs;
  }

  start(): void {
    this.dispatch({ type: 'start' });
  }

  stop(): void {
    this.dispatch({ type: 'stop' });
    clearTimeout(this.timer);
    this.lists.close();
  }

  private dispatch(input: ReflectorInput<T>): void {
    const transition = step(this.state, input, this.options.backoff);
    this.state = transition.state;
    for (const action of transition.actions) {
      this.perform(action);
    }
  }

  private perform(action: ReflectorAction<T>): void {
    switch (action.type) {
      case 'requestListPage':
        if (action.continueToken === undefined) {
          this.options.metrics.relistsTotal.inc({
            resource: this.options.plural,
            reason: action.reason,
          });
        }
        void this.listPage(action.continueToken);
        return;
      case 'discardPages':
        this.pages = [];
        return;
      case 'publishList':
        this.publish(action.resourceVersion);
        return;
      case 'startWatch':
        void this.watch(action.watchId, action.resourceVersion);
        return;
      case 'stopWatch':
        this.watchAbort?.abort();
        this.watchAbort = undefined;
        return;
      case 'apply':
        this.apply(action.event, action.resourceVersion);
        return;
      case 'bookmark':
        this.advance(action.resourceVersion, []);
        return;
      case 'watchAccepted':
        this.accepted = true;
        this.failure = undefined;
        this.options.onWatchAccepted?.();
        return;
      case 'wait':
        this.timer = setTimeout(() => this.dispatch({ type: 'waitElapsed' }), action.delayMs);
        return;
      case 'relist':
        this.logRelist(action.reason, action.message);
        return;
      case 'restartWatch':
        this.options.metrics.watchRestartsTotal.inc();
        this.logger.warn({ delayMs: action.delayMs, detail: action.message }, 'restarting watch');
        return;
    }
  }

  /** Logs a relist: at warn after a failed list, such as a 403 for a missing RBAC verb. */
  private logRelist(reason: ListReason, detail: string): void {
    if (reason === 'error') {
      this.logger.warn({ reason, detail }, 'relisting');
    } else {
      this.logger.info({ reason, detail }, 'relisting');
    }
  }

  private async listPage(continueToken: string | undefined): Promise<void> {
    const { plural, toStored } = this.options;
    const query = new URLSearchParams({ limit: String(this.options.pageSize) });
    if (continueToken !== undefined) {
      query.set('continue', continueToken);
    }

    try {
      const response = await this.lists.list(`${this.collectionPath()}?${query.toString()}`);
      for (const item of response.items ?? []) {
        this.pages.push(toStored(item));
      }
      this.dispatch({
        type: 'listPage',
        continueToken: response.metadata?.continue,
        resourceVersion: response.metadata?.resourceVersion ?? '0',
      });
    } catch (err) {
      this.failure = describeApiError(err, `list ${plural}`);
      this.dispatch({ type: 'listFailed', code: httpStatusOf(err), message: this.failure });
    }
  }

  private publish(resourceVersion: string): void {
    const initial = !this.listed;
    const deltas = this.store.replace(this.pages);
    this.pages = [];
    this.listed = true;
    this.advance(resourceVersion, deltas);
    this.logger.info(
      { objects: this.store.size, changes: deltas.length, resourceVersion, initial },
      'list complete',
    );
  }

  private apply(event: WatchEvent<T>, resourceVersion: string): void {
    const object = this.options.toStored(event.object);
    this.options.metrics.watchEventsTotal.inc({ type: event.type });
    const deltas = event.type === 'DELETED' ? this.store.delete(object) : this.store.upsert(object);
    this.advance(resourceVersion, deltas);
  }

  private advance(resourceVersion: string, deltas: readonly Delta<T>[]): void {
    this.position = resourceVersion;
    this.lastEventMs = Date.now();
    this.options.onChange(deltas, resourceVersion);
  }

  /** The path of the resource's collection in the namespace, or in all namespaces. */
  private collectionPath(): string {
    const { namespace, plural } = this.options;
    const scope = namespace === undefined ? '' : `/namespaces/${namespace}`;
    return `/apis/${GROUP}/${VERSION}${scope}/${plural}`;
  }

  private async watch(watchId: number, resourceVersion: string): Promise<void> {
    const { watchTimeoutSeconds } = this.options;
    const path = this.collectionPath();
    const query = {
      resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: watchTimeoutSeconds,
    };
    // Set by onDone; an object, because the compiler cannot see a closure assign a local.
    const watch = { ended: false };

    const onEvent = (type: string, object: unknown): void => {
      const event = { type, object } as WatchEvent<T>;
      this.dispatch({ type: 'watchEvent', watchId, event });
    };
    const onDone = (err: unknown): void => {
      watch.ended = true;
      if (err === null || err === undefined) {
        this.logger.debug({ resourceVersion: this.position }, 'watch closed by the server');
        this.dispatch({ type: 'watchClosed', watchId });
        return;
      }
      const message = describeApiError(err, `watch ${this.options.plural}`);
      // Readiness reports it until a watch is accepted, as it does for a failed list.
      this.failure = message;
      this.dispatch({ type: 'watchFailed', watchId, code: httpStatusOf(err), message });
    };

    try {
      const abort = await this.watcher.watch(path, query, onEvent, onDone);
      if (watch.ended || this.state.phase !== 'watching' || this.state.watchId !== watchId) {
        abort.abort();
        return;
      }
      this.watchAbort = abort;
      this.dispatch({ type: 'watchAccepted', watchId });
    } catch (err) {
      onDone(err);
    }
  }
}
