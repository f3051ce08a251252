import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  ConditionReason,
  ConditionType,
  desiredStatus,
  findCondition,
  formatConditionTime,
  statusEquals,
  type Outcome,
} from '../../../src/api/conditions.ts';
import type { Condition, ServiceMetadataStatus } from '../../../src/api/types.ts';

const T0 = new Date('2026-01-02T03:04:05.678Z');
const T1 = new Date('2026-01-02T04:00:00.000Z');
const T0_TEXT = '2026-01-02T03:04:05Z';
const T1_TEXT = '2026-01-02T04:00:00Z';

const VALID: Outcome = { valid: true };
const TOO_MANY_TAGS_MESSAGE = 'spec.tags has 70 items, more than the limit of 64';
const TOO_MANY_TAGS: Outcome = {
  valid: false,
  reason: 'LimitExceeded',
  message: TOO_MANY_TAGS_MESSAGE,
};
const BAD_VERSION: Outcome = {
  valid: false,
  reason: 'InvalidValue',
  message: 'invalid spec.version "x": must be a SemVer 2.0.0 version',
};

const FOREIGN: Condition = {
  type: 'example.com/Audited',
  status: 'True',
  reason: 'Reviewed',
  message: 'reviewed by the audit job',
  lastTransitionTime: '2025-12-01T00:00:00Z',
  observedGeneration: 1,
};

function condition(status: ServiceMetadataStatus, type: string): Condition {
  const found = findCondition(status, type);
  assert.ok(found, `no ${type} condition`);
  return found;
}

function types(status: ServiceMetadataStatus): string[] {
  return (status.conditions ?? []).map((entry) => entry.type);
}

describe('formatConditionTime', () => {
  test('drops milliseconds', () => {
    assert.equal(formatConditionTime(T0), T0_TEXT);
  });

  test('uses UTC', () => {
    assert.equal(
      formatConditionTime(new Date('2026-06-30T23:59:59+02:00')),
      '2026-06-30T21:59:59Z',
    );
  });
});

describe('desiredStatus', () => {
  test('new valid object', () => {
    const status = desiredStatus(undefined, 1, VALID, T0);

    assert.equal(status.observedGeneration, 1);
    assert.deepEqual(types(status), [ConditionType.Ready, ConditionType.Valid]);
    assert.deepEqual(condition(status, 'Ready'), {
      type: 'Ready',
      status: 'True',
      reason: ConditionReason.Indexed,
      message: 'the object is indexed and queries return it',
      lastTransitionTime: T0_TEXT,
      observedGeneration: 1,
    });
    assert.equal(condition(status, 'Valid').status, 'True');
    assert.equal(condition(status, 'Valid').reason, ConditionReason.Valid);
    assert.equal(condition(status, 'Valid').lastTransitionTime, T0_TEXT);
  });

  test('new invalid object', () => {
    const status = desiredStatus(undefined, 3, TOO_MANY_TAGS, T0);

    assert.deepEqual(types(status), ['Ready', 'Valid', 'Stalled']);
    assert.equal(condition(status, 'Ready').status, 'False');
    assert.equal(condition(status, 'Ready').reason, ConditionReason.Invalid);
    assert.equal(condition(status, 'Ready').message, TOO_MANY_TAGS_MESSAGE);
    assert.equal(condition(status, 'Valid').message, TOO_MANY_TAGS_MESSAGE);
    assert.equal(condition(status, 'Stalled').message, TOO_MANY_TAGS_MESSAGE);
    assert.equal(condition(status, 'Valid').status, 'False');
    assert.equal(condition(status, 'Valid').reason, 'LimitExceeded');
    assert.equal(condition(status, 'Stalled').status, 'True');
    assert.equal(condition(status, 'Stalled').reason, 'LimitExceeded');
    for (const entry of status.conditions ?? []) {
      assert.equal(entry.observedGeneration, 3);
    }
  });

  test('valid to invalid flips lastTransitionTime', () => {
    const before = desiredStatus(undefined, 1, VALID, T0);
    const after = desiredStatus(before, 2, BAD_VERSION, T1);

    assert.equal(condition(after, 'Ready').lastTransitionTime, T1_TEXT);
    assert.equal(condition(after, 'Valid').lastTransitionTime, T1_TEXT);
    assert.equal(condition(after, 'Stalled').lastTransitionTime, T1_TEXT);
    assert.equal(condition(after, 'Valid').reason, 'InvalidValue');
  });

  test('conflict keeps Valid and stalls Ready', () => {
    const conflict: Outcome = { valid: true, conflict: 'ns/other declares the same service' };
    const status = desiredStatus(undefined, 1, conflict, T0);
    assert.equal(condition(status, ConditionType.Valid).status, 'True');
    assert.equal(condition(status, ConditionType.Ready).status, 'False');
    assert.equal(condition(status, ConditionType.Ready).reason, ConditionReason.Conflict);
    assert.equal(condition(status, ConditionType.Stalled).reason, ConditionReason.Conflict);
    assert.match(condition(status, ConditionType.Stalled).message, /ns\/other/);

    const cleared = desiredStatus(status, 1, VALID, T1);
    assert.deepEqual(types(cleared), [ConditionType.Ready, ConditionType.Valid]);
    assert.equal(condition(cleared, ConditionType.Ready).lastTransitionTime, T1_TEXT);
  });

  test('invalid to invalid keeps lastTransitionTime', () => {
    const before = desiredStatus(undefined, 1, BAD_VERSION, T0);
    const after = desiredStatus(before, 2, TOO_MANY_TAGS, T1);

    assert.equal(condition(after, 'Ready').lastTransitionTime, T0_TEXT);
    assert.equal(condition(after, 'Valid').lastTransitionTime, T0_TEXT);
    assert.equal(condition(after, 'Stalled').lastTransitionTime, T0_TEXT);
    assert.equal(condition(after, 'Valid').reason, 'LimitExceeded');
    assert.equal(condition(after, 'Stalled').message, TOO_MANY_TAGS_MESSAGE);
  });

  test('invalid to valid removes Stalled', () => {
    const before = desiredStatus(undefined, 1, BAD_VERSION, T0);
    const after = desiredStatus(before, 2, VALID, T1);

    assert.deepEqual(types(after), ['Ready', 'Valid']);
    assert.equal(condition(after, 'Ready').lastTransitionTime, T1_TEXT);
    assert.equal(condition(after, 'Ready').reason, 'Indexed');
  });

  test('generation bump updates observedGeneration only', () => {
    const before = desiredStatus(undefined, 1, VALID, T0);
    const after = desiredStatus(before, 2, VALID, T1);

    assert.equal(after.observedGeneration, 2);
    assert.equal(condition(after, 'Ready').observedGeneration, 2);
    assert.equal(condition(after, 'Valid').observedGeneration, 2);
    assert.equal(condition(after, 'Ready').lastTransitionTime, T0_TEXT);
  });

  test('foreign conditions kept unchanged', () => {
    const previous = { observedGeneration: 1, conditions: [FOREIGN] };
    const status = desiredStatus(previous, 2, BAD_VERSION, T1);

    assert.deepEqual(types(status), ['Ready', 'Valid', 'Stalled', FOREIGN.type]);
    assert.deepEqual(condition(status, FOREIGN.type), FOREIGN);
  });

  test('stale Reconciling removed', () => {
    const reconciling: Condition = {
      type: 'Reconciling',
      status: 'True',
      reason: 'Progressing',
      message: 'working',
      lastTransitionTime: T0_TEXT,
    };
    const status = desiredStatus({ conditions: [reconciling] }, 1, VALID, T1);

    assert.equal(findCondition(status, 'Reconciling'), undefined);
  });

  test('Unknown to True is a transition', () => {
    const unknown: Condition = {
      type: 'Ready',
      status: 'Unknown',
      reason: 'Pending',
      message: '',
      lastTransitionTime: T0_TEXT,
    };
    const status = desiredStatus({ conditions: [unknown] }, 1, VALID, T1);

    assert.equal(condition(status, 'Ready').lastTransitionTime, T1_TEXT);
  });

  test('previous status not modified', () => {
    const previous = desiredStatus(undefined, 1, VALID, T0);
    const copy = structuredClone(previous);
    desiredStatus(previous, 2, BAD_VERSION, T1);

    assert.deepEqual(previous, copy);
  });

  test('long message truncated to the CRD limit', () => {
    const outcome: Outcome = { valid: false, reason: 'InvalidValue', message: 'm'.repeat(40_000) };
    const status = desiredStatus(undefined, 1, outcome, T0);

    assert.equal(condition(status, 'Valid').message.length, 32_768);
    assert.ok(condition(status, 'Valid').message.endsWith('...'));
  });
});

describe('statusEquals', () => {
  const base = desiredStatus({ conditions: [FOREIGN] }, 4, BAD_VERSION, T0);

  test('same status', () => {
    assert.equal(statusEquals(base, structuredClone(base)), true);
  });

  test('condition order ignored', () => {
    const reversed = { ...base, conditions: [...(base.conditions ?? [])].reverse() };
    assert.equal(statusEquals(base, reversed), true);
  });

  test('equal timestamps in other forms', () => {
    const conditions = (base.conditions ?? []).map((entry) =>
      entry.type === 'Ready' ? { ...entry, lastTransitionTime: '2026-01-02T03:04:05.000Z' } : entry,
    );
    assert.equal(statusEquals(base, { ...base, conditions }), true);
  });

  test('absent and empty are equal', () => {
    assert.equal(statusEquals(undefined, {}), true);
    assert.equal(statusEquals({ conditions: [] }, {}), true);
  });

  const changes: ReadonlyArray<[string, (entry: Condition) => Condition]> = [
    ['status', (entry) => ({ ...entry, status: 'Unknown' })],
    ['reason', (entry) => ({ ...entry, reason: 'Other' })],
    ['message', (entry) => ({ ...entry, message: 'other' })],
    ['lastTransitionTime', (entry) => ({ ...entry, lastTransitionTime: T1_TEXT })],
    ['observedGeneration', (entry) => ({ ...entry, observedGeneration: 5 })],
  ];
  for (const [field, change] of changes) {
    test(`differs in condition ${field}`, () => {
      const conditions = (base.conditions ?? []).map((entry) =>
        entry.type === 'Valid' ? change(entry) : entry,
      );
      assert.equal(statusEquals(base, { ...base, conditions }), false);
    });
  }

  test('differs in status observedGeneration', () => {
    assert.equal(statusEquals(base, { ...base, observedGeneration: 5 }), false);
  });

  test('differs by a missing condition', () => {
    const conditions = (base.conditions ?? []).filter((entry) => entry.type !== 'Stalled');
    assert.equal(statusEquals(base, { ...base, conditions }), false);
    assert.equal(statusEquals({ ...base, conditions }, base), false);
  });

  test('differs by a repeated type', () => {
    const ready = condition(base, 'Ready');
    const repeated = { conditions: [ready, ready] };
    const other = { conditions: [ready, condition(base, 'Valid')] };
    assert.equal(statusEquals(repeated, other), false);
    assert.equal(statusEquals(other, repeated), false);
  });

  test('recomputed status equals the previous one', () => {
    const again = desiredStatus(base, 4, BAD_VERSION, T1);
    assert.equal(statusEquals(base, again), true);
  });
});
