/**
 * The reflector's decisions as a pure state machine: given its state and one input (a list page,
 * a list failure, a watch event, a closed watch, an elapsed wait), `step` returns the next state
 * and the actions to carry out. The driver in reflector.ts performs the I/O and feeds results back.
 *
 * The rules follow client-go's reflector:
 * - A list is read in pages and published only when the last page arrived, never in part. When a
 *   continue token expired (410 Gone), the list restarts from the first page.
 * - The watch starts at the list's resourceVersion, and each event or bookmark moves that position.
 *   A watch that the server closed (its `timeoutSeconds` ran out) restarts at once from there.
 * - 410 Gone from a watch means the position was compacted away: list again.
 * - Any other failure waits with capped exponential backoff, then repeats the failed step. The
 *   failure count resets once a watch is accepted.
 * Each watch carries a number, and inputs from an older watch are ignored, so a watch that was
 * abandoned cannot apply events after its replacement started.
 */
import { backoffDelayMs, type BackoffOptions } from '../backoff.ts';

/** The reason a list was started. */
export type ListReason = 'initial' | 'gone' | 'error';

/** The state of one reflector. */
export type ReflectorState =
  | { readonly phase: 'idle' }
  | {
      readonly phase: 'listing';
      readonly reason: ListReason;
      readonly continueToken?: string;
      readonly failures: number;
    }
  | {
      readonly phase: 'watching';
      readonly watchId: number;
      readonly resourceVersion: string;
      readonly failures: number;
    }
  | {
      readonly phase: 'waiting';
      readonly next: 'list' | 'watch';
      readonly resourceVersion?: string;
      readonly failures: number;
    }
  | { readonly phase: 'stopped' };

/** A watch event as the API server sends it. */
export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

/** One input to the machine. `code` is an HTTP status code where the failure had one. */
export type ReflectorInput<T> =
  | { readonly type: 'start' }
  | { readonly type: 'stop' }
  | { readonly type: 'listPage'; readonly continueToken?: string; readonly resourceVersion: string }
  | { readonly type: 'listFailed'; readonly code?: number; readonly message: string }
  | { readonly type: 'watchAccepted'; readonly watchId: number }
  | { readonly type: 'watchEvent'; readonly watchId: number; readonly event: WatchEvent<T> }
  | { readonly type: 'watchClosed'; readonly watchId: number }
  | {
      readonly type: 'watchFailed';
      readonly watchId: number;
      readonly code?: number;
      readonly message: string;
    }
  | { readonly type: 'waitElapsed' };

/** An action that the driver performs next. */
export type ReflectorAction<T> =
  | {
      readonly type: 'requestListPage';
      readonly reason: ListReason;
      readonly continueToken?: string;
    }
  /** Publish the pages received since the list started as the complete set of objects. */
  | { readonly type: 'publishList'; readonly resourceVersion: string }
  | { readonly type: 'discardPages' }
  | { readonly type: 'startWatch'; readonly watchId: number; readonly resourceVersion: string }
  | { readonly type: 'stopWatch' }
  | { readonly type: 'apply'; readonly event: WatchEvent<T>; readonly resourceVersion: string }
  | { readonly type: 'bookmark'; readonly resourceVersion: string }
  | { readonly type: 'watchAccepted' }
  | { readonly type: 'wait'; readonly delayMs: number; readonly failures: number }
  | { readonly type: 'relist'; readonly reason: ListReason; readonly message: string }
  | { readonly type: 'restartWatch'; readonly delayMs: number; readonly message: string };

/** The result of one step. */
export interface Transition<T> {
  readonly state: ReflectorState;
  readonly actions: readonly ReflectorAction<T>[];
}

/** The fields of a watch event object that the machine reads. */
export interface Versioned {
  readonly metadata?: { readonly resourceVersion?: string };
  /** Present on the `Status` object of an ERROR event. */
  readonly code?: number;
  readonly message?: string;
}

const HTTP_GONE = 410;

/** The number the next watch will carry; it only grows, so old watches never match. */
let lastWatchId = 0;

/** Computes the next state and actions from `state` and `input`. */
export function step<T extends Versioned>(
  state: ReflectorState,
  input: ReflectorInput<T>,
  backoff: BackoffOptions,
): Transition<T> {
  if (state.phase === 'stopped') {
    return { state, actions: [] };
  }
  if (input.type === 'stop') {
    return { state: { phase: 'stopped' }, actions: [{ type: 'stopWatch' }] };
  }

  switch (input.type) {
    case 'start':
      return state.phase === 'idle' ? startList('initial', 0) : { state, actions: [] };
    case 'listPage':
      return onListPage(state, input);
    case 'listFailed':
      return onListFailed(state, input, backoff);
    case 'waitElapsed':
      return onWaitElapsed(state);
    default:
      return onWatchInput(state, input, backoff);
  }
}

function startList<T>(reason: ListReason, failures: number): Transition<T> {
  return {
    state: { phase: 'listing', reason, failures },
    actions: [{ type: 'discardPages' }, { type: 'requestListPage', reason }],
  };
}

function startWatch<T>(resourceVersion: string, failures: number): Transition<T> {
  lastWatchId += 1;
  return {
    state: { phase: 'watching', watchId: lastWatchId, resourceVersion, failures },
    actions: [{ type: 'startWatch', watchId: lastWatchId, resourceVersion }],
  };
}

function wait<T>(
  next: 'list' | 'watch',
  failures: number,
  backoff: BackoffOptions,
  resourceVersion?: string,
): Transition<T> {
  const delayMs = backoffDelayMs(failures, backoff);
  return {
    state: { phase: 'waiting', next, failures, resourceVersion },
    actions: [{ type: 'wait', delayMs, failures }],
  };
}

function onListPage<T>(
  state: ReflectorState,
  input: Extract<ReflectorInput<T>, { type: 'listPage' }>,
): Transition<T> {
  if (state.phase !== 'listing') {
    return { state, actions: [] };
  }
  if (input.continueToken !== undefined && input.continueToken !== '') {
    return {
      state: { ...state, continueToken: input.continueToken },
      actions: [
        { type: 'requestListPage', reason: state.reason, continueToken: input.continueToken },
      ],
    };
  }

  const watch = startWatch<T>(input.resourceVersion, state.failures);
  return {
    state: watch.state,
    actions: [{ type: 'publishList', resourceVersion: input.resourceVersion }, ...watch.actions],
  };
}

function onListFailed<T>(
  state: ReflectorState,
  input: Extract<ReflectorInput<T>, { type: 'listFailed' }>,
  backoff: BackoffOptions,
): Transition<T> {
  if (state.phase !== 'listing') {
    return { state, actions: [] };
  }
  const failures = state.failures + 1;

  // An expired continue token is no fault of the server's; start over from the first page, at
  // once the first time, and with backoff if it keeps expiring.
  if (input.code === HTTP_GONE && state.continueToken !== undefined) {
    const message = 'list continue token expired; listing again from the first page';
    const restart = startList<T>(state.reason, failures);
    if (failures === 1) {
      return {
        ...restart,
        actions: [{ type: 'relist', reason: 'gone', message }, ...restart.actions],
      };
    }
  }

  const waiting = wait<T>('list', failures, backoff);
  const message = `list failed: ${input.message}`;
  return {
    state: waiting.state,
    actions: [
      { type: 'relist', reason: 'error', message },
      { type: 'discardPages' },
      ...waiting.actions,
    ],
  };
}

function onWaitElapsed<T>(state: ReflectorState): Transition<T> {
  if (state.phase !== 'waiting') {
    return { state, actions: [] };
  }
  if (state.next === 'watch' && state.resourceVersion !== undefined) {
    return startWatch(state.resourceVersion, state.failures);
  }
  return startList('error', state.failures);
}

function onWatchInput<T extends Versioned>(
  state: ReflectorState,
  input: Extract<
    ReflectorInput<T>,
    { type: 'watchAccepted' | 'watchEvent' | 'watchClosed' | 'watchFailed' }
  >,
  backoff: BackoffOptions,
): Transition<T> {
  if (state.phase !== 'watching' || input.watchId !== state.watchId) {
    return { state, actions: [] };
  }

  switch (input.type) {
    case 'watchAccepted':
      return { state: { ...state, failures: 0 }, actions: [{ type: 'watchAccepted' }] };
    case 'watchEvent':
      return onWatchEvent(state, input.event, backoff);
    case 'watchClosed':
      // The server ended the watch when its timeoutSeconds ran out; resume from the position.
      return startWatch(state.resourceVersion, state.failures);
    case 'watchFailed':
      return onWatchFailure(state, input.code, input.message, backoff);
  }
}

function onWatchEvent<T extends Versioned>(
  state: Extract<ReflectorState, { phase: 'watching' }>,
  event: WatchEvent<T>,
  backoff: BackoffOptions,
): Transition<T> {
  if (event.type === 'ERROR') {
    const status = event.object;
    const message = `watch returned an error: ${status.message ?? 'no message'}`;
    return onWatchFailure(state, status.code, message, backoff);
  }

  const resourceVersion = event.object.metadata?.resourceVersion;
  if (resourceVersion === undefined || resourceVersion === '') {
    return onWatchFailure(state, undefined, `${event.type} event has no resourceVersion`, backoff);
  }
  const next = { ...state, resourceVersion };
  if (event.type === 'BOOKMARK') {
    return { state: next, actions: [{ type: 'bookmark', resourceVersion }] };
  }
  return { state: next, actions: [{ type: 'apply', event, resourceVersion }] };
}

function onWatchFailure<T>(
  state: Extract<ReflectorState, { phase: 'watching' }>,
  code: number | undefined,
  message: string,
  backoff: BackoffOptions,
): Transition<T> {
  if (code === HTTP_GONE) {
    const list = startList<T>('gone', 0);
    return {
      state: list.state,
      actions: [
        { type: 'stopWatch' },
        { type: 'relist', reason: 'gone', message },
        ...list.actions,
      ],
    };
  }

  const failures = state.failures + 1;
  const waiting = wait<T>('watch', failures, backoff, state.resourceVersion);
  const delayMs = backoffDelayMs(failures, backoff);
  return {
    state: waiting.state,
    actions: [
      { type: 'stopWatch' },
      { type: 'restartWatch', delayMs, message },
      ...waiting.actions,
    ],
  };
}
