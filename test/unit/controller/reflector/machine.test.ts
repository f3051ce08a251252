import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  step,
  type ReflectorAction,
  type ReflectorInput,
  type ReflectorState,
  type Versioned,
} from '../../../../src/controller/reflector/machine.ts';

const backoff = { initialMs: 100, maxMs: 1000 };

interface Object extends Versioned {
  metadata: { resourceVersion: string };
}

/** Feeds inputs one after another and returns the final state and every action taken. */
function run(inputs: readonly ReflectorInput<Object>[], from: ReflectorState = { phase: 'idle' }) {
  let state = from;
  const actions: ReflectorAction<Object>[] = [];
  for (const input of inputs) {
    const transition = step(state, input, backoff);
    state = transition.state;
    actions.push(...transition.actions);
  }
  return { state, actions };
}

function types(actions: readonly ReflectorAction<Object>[]): string[] {
  return actions.map((action) => action.type);
}

/** Runs a complete one-page list and returns the state with its watch id. */
function watching(resourceVersion = '10') {
  const result = run([{ type: 'start' }, { type: 'listPage', resourceVersion }]);
  assert.equal(result.state.phase, 'watching');
  return result.state as Extract<ReflectorState, { phase: 'watching' }>;
}

function event(type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK', resourceVersion: string) {
  return { type, object: { metadata: { resourceVersion } } };
}

describe('reflector machine list', () => {
  it('requests the first page on start', () => {
    const { state, actions } = run([{ type: 'start' }]);
    assert.equal(state.phase, 'listing');
    assert.deepEqual(actions.at(-1), { type: 'requestListPage', reason: 'initial' });
  });

  it('follows continue tokens before publishing', () => {
    const { actions } = run([
      { type: 'start' },
      { type: 'listPage', continueToken: 'a', resourceVersion: '5' },
      { type: 'listPage', continueToken: 'b', resourceVersion: '5' },
    ]);
    assert.ok(!types(actions).includes('publishList'));
    assert.deepEqual(actions.at(-1), {
      type: 'requestListPage',
      reason: 'initial',
      continueToken: 'b',
    });
  });

  it('publishes the list and watches from its resourceVersion', () => {
    const { state, actions } = run([
      { type: 'start' },
      { type: 'listPage', continueToken: 'a', resourceVersion: '5' },
      { type: 'listPage', resourceVersion: '7' },
    ]);
    assert.equal(state.phase, 'watching');
    const publish = actions.find((action) => action.type === 'publishList');
    assert.deepEqual(publish, { type: 'publishList', resourceVersion: '7' });
    const watch = actions.find((action) => action.type === 'startWatch');
    assert.equal(watch?.type === 'startWatch' && watch.resourceVersion, '7');
  });

  it('restarts from the first page when a continue token expired', () => {
    const { state, actions } = run([
      { type: 'start' },
      { type: 'listPage', continueToken: 'a', resourceVersion: '5' },
      { type: 'listFailed', code: 410, message: 'expired' },
    ]);
    assert.equal(state.phase, 'listing');
    assert.ok(types(actions).includes('discardPages'));
    assert.deepEqual(actions.at(-1), { type: 'requestListPage', reason: 'initial' });
  });

  it('backs off after a list error and lists again', () => {
    const failed = run([{ type: 'start' }, { type: 'listFailed', code: 500, message: 'boom' }]);
    assert.equal(failed.state.phase, 'waiting');
    assert.deepEqual(failed.actions.at(-1), { type: 'wait', delayMs: 100, failures: 1 });
    assert.ok(types(failed.actions).includes('discardPages'));

    const again = run([{ type: 'waitElapsed' }], failed.state);
    assert.equal(again.state.phase, 'listing');
    assert.equal(again.actions.at(-1)?.type, 'requestListPage');
  });

  it('doubles the delay up to the cap', () => {
    let state: ReflectorState = run([{ type: 'start' }]).state;
    const delays: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const failed = run([{ type: 'listFailed', code: 404, message: 'no CRD' }], state);
      const wait = failed.actions.find((action) => action.type === 'wait');
      delays.push(wait?.type === 'wait' ? wait.delayMs : -1);
      state = run([{ type: 'waitElapsed' }], failed.state).state;
    }
    assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
  });
});

describe('reflector machine watch', () => {
  it('applies events and moves the position', () => {
    const state = watching();
    const { state: next, actions } = run(
      [{ type: 'watchEvent', watchId: state.watchId, event: event('ADDED', '11') }],
      state,
    );
    assert.equal(next.phase === 'watching' && next.resourceVersion, '11');
    assert.equal(actions[0]?.type, 'apply');
  });

  it('treats a bookmark as progress without changes', () => {
    const state = watching();
    const { state: next, actions } = run(
      [{ type: 'watchEvent', watchId: state.watchId, event: event('BOOKMARK', '20') }],
      state,
    );
    assert.deepEqual(actions, [{ type: 'bookmark', resourceVersion: '20' }]);
    assert.equal(next.phase === 'watching' && next.resourceVersion, '20');
  });

  it('ignores inputs from an abandoned watch', () => {
    const state = watching();
    const { state: next, actions } = run(
      [{ type: 'watchEvent', watchId: state.watchId - 1, event: event('ADDED', '99') }],
      state,
    );
    assert.deepEqual(actions, []);
    assert.equal(next, state);
  });

  it('re-watches at once from the position after a server-side close', () => {
    const state = watching('10');
    const { state: next, actions } = run(
      [
        { type: 'watchEvent', watchId: state.watchId, event: event('MODIFIED', '12') },
        { type: 'watchClosed', watchId: state.watchId },
      ],
      state,
    );
    const watch = actions.at(-1);
    assert.equal(watch?.type, 'startWatch');
    assert.equal(watch?.type === 'startWatch' && watch.resourceVersion, '12');
    assert.notEqual(next.phase === 'watching' && next.watchId, state.watchId);
  });

  it('relists on 410 Gone from an ERROR event', () => {
    const state = watching();
    const gone = { type: 'ERROR' as const, object: { code: 410, message: 'too old' } as Object };
    const { state: next, actions } = run(
      [{ type: 'watchEvent', watchId: state.watchId, event: gone }],
      state,
    );
    assert.equal(next.phase, 'listing');
    assert.ok(types(actions).includes('stopWatch'));
    assert.deepEqual(
      actions.find((action) => action.type === 'relist'),
      { type: 'relist', reason: 'gone', message: 'watch returned an error: too old' },
    );
  });

  it('relists on 410 Gone from a failed watch request', () => {
    const state = watching();
    const { state: next } = run(
      [{ type: 'watchFailed', watchId: state.watchId, code: 410, message: 'gone' }],
      state,
    );
    assert.equal(next.phase, 'listing');
  });

  it('backs off after a watch error and resumes from the position', () => {
    const state = watching('10');
    const failed = run(
      [{ type: 'watchFailed', watchId: state.watchId, message: 'connection reset' }],
      state,
    );
    assert.equal(failed.state.phase, 'waiting');
    assert.ok(types(failed.actions).includes('restartWatch'));

    const resumed = run([{ type: 'waitElapsed' }], failed.state);
    const watch = resumed.actions.at(-1);
    assert.equal(watch?.type === 'startWatch' && watch.resourceVersion, '10');
  });

  it('resets the failure count once a watch is accepted', () => {
    const state = watching('10');
    const failed = run([{ type: 'watchFailed', watchId: state.watchId, message: 'reset' }], state);
    const resumed = run([{ type: 'waitElapsed' }], failed.state).state;
    assert.equal(resumed.phase === 'watching' && resumed.failures, 1);

    const id = resumed.phase === 'watching' ? resumed.watchId : -1;
    const accepted = run([{ type: 'watchAccepted', watchId: id }], resumed);
    assert.equal(accepted.state.phase === 'watching' && accepted.state.failures, 0);
    assert.deepEqual(accepted.actions, [{ type: 'watchAccepted' }]);
  });
});

describe('reflector machine stop', () => {
  it('ignores every input once stopped', () => {
    const state = watching();
    const stopped = run([{ type: 'stop' }], state);
    assert.equal(stopped.state.phase, 'stopped');
    assert.deepEqual(stopped.actions, [{ type: 'stopWatch' }]);

    const after = run([{ type: 'start' }, { type: 'waitElapsed' }], stopped.state);
    assert.deepEqual(after.actions, []);
  });
});
