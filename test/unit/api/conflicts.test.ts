import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConflictTracker, conflictIdentity, conflictMessage } from '../../../src/api/conflicts.ts';
import type { NormalizedSpec } from '../../../src/api/service-metadata.ts';

function spec(version: string, region = 'eu-west'): NormalizedSpec {
  return {
    service: 'checkout',
    version,
    environment: 'production',
    region,
    tags: [],
    attributes: {},
    endpoints: [],
  };
}

describe('conflictIdentity', () => {
  it('treats versions equal as semver.eq does', () => {
    assert.equal(
      conflictIdentity('a', spec('2.4.1')),
      conflictIdentity('a', spec('2.4.1+build.7')),
    );
  });

  it('separates pre-releases from releases', () => {
    assert.notEqual(
      conflictIdentity('a', spec('2.4.1')),
      conflictIdentity('a', spec('2.4.1-rc.1')),
    );
  });

  it('separates namespaces', () => {
    assert.notEqual(conflictIdentity('a', spec('1.0.0')), conflictIdentity('b', spec('1.0.0')));
  });

  it('separates regions', () => {
    assert.notEqual(
      conflictIdentity('a', spec('1.0.0')),
      conflictIdentity('a', spec('1.0.0', 'us-east')),
    );
  });
});

describe('ConflictTracker', () => {
  const same = conflictIdentity('ns', spec('1.0.0'));
  const other = conflictIdentity('ns', spec('2.0.0'));

  it('reports both objects of a new conflict', () => {
    const tracker = new ConflictTracker();
    assert.deepEqual(tracker.update('ns/a', same), ['ns/a']);
    assert.deepEqual(tracker.update('ns/b', same).sort(), ['ns/a', 'ns/b']);
    assert.deepEqual(tracker.conflictsOf('ns/a'), ['ns/b']);
    assert.deepEqual(tracker.conflictsOf('ns/b'), ['ns/a']);
  });

  it('clears a conflict when one object changes', () => {
    const tracker = new ConflictTracker();
    tracker.update('ns/a', same);
    tracker.update('ns/b', same);
    assert.deepEqual(tracker.update('ns/b', other).sort(), ['ns/a', 'ns/b']);
    assert.deepEqual(tracker.conflictsOf('ns/a'), []);
    assert.deepEqual(tracker.conflictsOf('ns/b'), []);
  });

  it('clears a conflict when one object goes away', () => {
    const tracker = new ConflictTracker();
    tracker.update('ns/a', same);
    tracker.update('ns/b', same);
    assert.deepEqual(tracker.update('ns/a', undefined).sort(), ['ns/a', 'ns/b']);
    assert.deepEqual(tracker.conflictsOf('ns/b'), []);
  });

  it('reports nothing for an unchanged identity', () => {
    const tracker = new ConflictTracker();
    tracker.update('ns/a', same);
    assert.deepEqual(tracker.update('ns/a', same), []);
  });

  it('keeps no group once every object left', () => {
    const tracker = new ConflictTracker();
    tracker.update('ns/a', same);
    tracker.update('ns/b', other);
    tracker.update('ns/a', undefined);
    tracker.update('ns/b', undefined);
    assert.equal(tracker.size, 0);
  });
});

describe('conflictMessage', () => {
  it('names the other object and the shared identity', () => {
    const message = conflictMessage(spec('1.0.0'), ['ns/b']);
    assert.match(message, /ns\/b/);
    assert.match(message, /service checkout/);
    assert.match(message, /version 1\.0\.0/);
  });
});

describe('ConflictTracker.conflictingObjects', () => {
  const steps: ReadonlyArray<readonly [string, string, string | undefined, number]> = [
    ['a first object conflicts with nothing', 'a/one', 'x', 0],
    ['a second object with the same identity makes two', 'a/two', 'x', 2],
    ['a third makes three', 'a/three', 'x', 3],
    ['an object with another identity adds none', 'a/four', 'y', 3],
    ['an object moving to another identity makes two pairs', 'a/three', 'y', 4],
    ['a deleted object leaves one alone', 'a/two', undefined, 2],
    ['the last pair dissolves', 'a/four', undefined, 0],
  ];

  const tracker = new ConflictTracker();
  for (const [name, key, identity, expected] of steps) {
    it(name, () => {
      tracker.update(key, identity);
      assert.equal(tracker.conflictingObjects, expected);
    });
  }
});
