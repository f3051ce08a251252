import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition, ServiceMetadata, ServiceMetadataStatus } from '../../../src/api/types.ts';
import { eventForStatusWrite } from '../../../src/controller/service-metadata-events.ts';

function ready(status: 'True' | 'False', reason: string, message = 'm'): Condition {
  return { type: 'Ready', status, reason, message, lastTransitionTime: '2026-01-01T00:00:00Z' };
}

function valid(status: 'True' | 'False', reason: string): Condition {
  return {
    type: 'Valid',
    status,
    reason,
    message: 'm',
    lastTransitionTime: '2026-01-01T00:00:00Z',
  };
}

function object(status?: ServiceMetadataStatus): ServiceMetadata {
  return {
    apiVersion: 'mesh.datapunk.io/v1alpha1',
    kind: 'ServiceMetadata',
    metadata: { namespace: 'ns', name: 'a', uid: 'u1', resourceVersion: '1', generation: 1 },
    spec: {},
    status,
  };
}

const VALID: ServiceMetadataStatus = {
  conditions: [ready('True', 'Indexed'), valid('True', 'Valid')],
};
const LIMIT: ServiceMetadataStatus = {
  conditions: [
    ready('False', 'Invalid', 'spec.tags has 70 items'),
    valid('False', 'LimitExceeded'),
  ],
};
const CONFLICT: ServiceMetadataStatus = {
  conditions: [ready('False', 'Conflict', 'ns/b declares the same'), valid('True', 'Valid')],
};

describe('eventForStatusWrite', () => {
  it('warns with the validation reason', () => {
    const event = eventForStatusWrite(object(), LIMIT);
    assert.equal(event?.type, 'Warning');
    assert.equal(event?.reason, 'LimitExceeded');
    assert.equal(event?.note, 'spec.tags has 70 items');
    assert.equal(event?.subject.uid, 'u1');
  });

  it('warns about a conflict', () => {
    const event = eventForStatusWrite(object(VALID), CONFLICT);
    assert.equal(event?.reason, 'Conflict');
  });

  it('reports a recovery', () => {
    const event = eventForStatusWrite(object(LIMIT), VALID);
    assert.equal(event?.type, 'Normal');
    assert.equal(event?.reason, 'Recovered');
  });

  it('stays quiet for an unchanged failure', () => {
    assert.equal(eventForStatusWrite(object(LIMIT), LIMIT), undefined);
  });

  it('stays quiet for a valid object', () => {
    assert.equal(eventForStatusWrite(object(), VALID), undefined);
    assert.equal(eventForStatusWrite(object(VALID), VALID), undefined);
  });
});
