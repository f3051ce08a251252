import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { desiredQueryStatus, queryStatusEquals } from '../../../src/api/metadata-query-status.ts';

const T0 = new Date('2026-01-02T03:04:05Z');
const T1 = new Date('2026-01-02T03:09:00Z');
const match = (name: string) => ({
  namespace: 'ns',
  name,
  service: name,
  version: '1.0.0',
  environment: 'production',
  region: 'eu-west',
});
const ONE = { matchCount: 1, matches: [match('a')], truncated: false };
const TWO = { matchCount: 2, matches: [match('a'), match('b')], truncated: false };

describe('desiredQueryStatus', () => {
  it('records the first result with its change', () => {
    const status = desiredQueryStatus(undefined, 1, { valid: true }, ONE, '100', T0);
    assert.equal(status.matchCount, 1);
    assert.equal(status.resultResourceVersion, '100');
    assert.equal(status.lastChangeTime, '2026-01-02T03:04:05Z');
    assert.equal(status.conditions?.find((c) => c.type === 'Ready')?.reason, 'Evaluated');
  });

  it('keeps the change markers while the result stays', () => {
    const first = desiredQueryStatus(undefined, 1, { valid: true }, ONE, '100', T0);
    const again = desiredQueryStatus(first, 1, { valid: true }, ONE, '200', T1);
    assert.equal(again.resultResourceVersion, '100');
    assert.equal(again.lastChangeTime, first.lastChangeTime);
    assert.ok(queryStatusEquals(again, first));
  });

  it('moves the change markers when the result changes', () => {
    const first = desiredQueryStatus(undefined, 1, { valid: true }, ONE, '100', T0);
    const next = desiredQueryStatus(first, 1, { valid: true }, TWO, '200', T1);
    assert.equal(next.resultResourceVersion, '200');
    assert.equal(next.lastChangeTime, '2026-01-02T03:09:00Z');
    assert.equal(queryStatusEquals(next, first), false);
  });

  it('empties the result of an invalid query', () => {
    const first = desiredQueryStatus(undefined, 1, { valid: true }, TWO, '100', T0);
    const outcome = { valid: false as const, reason: 'InvalidValue' as const, message: 'bad' };
    const invalid = desiredQueryStatus(first, 2, outcome, undefined, '300', T1);
    assert.equal(invalid.matchCount, 0);
    assert.deepEqual(invalid.matches, []);
    assert.equal(invalid.conditions?.find((c) => c.type === 'Stalled')?.status, 'True');
    assert.equal(invalid.observedGeneration, 2);
  });

  it('ignores the field order of stored matches', () => {
    const first = desiredQueryStatus(undefined, 1, { valid: true }, ONE, '100', T0);
    const [only] = ONE.matches;
    const sorted = Object.fromEntries(Object.entries(only ?? {}).sort());
    const stored = { ...first, matches: [sorted as typeof only & object] };
    const again = desiredQueryStatus(stored, 1, { valid: true }, ONE, '200', T1);
    assert.equal(again.resultResourceVersion, '100');
    assert.ok(queryStatusEquals(again, stored));
  });

  it('differs from a missing status', () => {
    const status = desiredQueryStatus(undefined, 1, { valid: true }, ONE, '100', T0);
    assert.equal(queryStatusEquals(status, undefined), false);
  });
});
