import { ConditionReason, ConditionType, findCondition } from '../api/conditions.ts';
import type { ServiceMetadata, ServiceMetadataStatus } from '../api/types.ts';
import type { EventRecord } from './event-recorder.ts';

/** The reason of the Event sent when an object that was not ready is ready again. */
export const RECOVERED_REASON = 'Recovered';

const RECOVERED_NOTE = 'the object is valid and indexed again';

/**
 * Returns the Event that a status write calls for, or undefined: a Warning when the object turns
 * invalid or conflicting (or its message changes), a Normal `Recovered` when it turns ready again.
 * A write that only updates `observedGeneration` calls for none.
 */
export function eventForStatusWrite(
  object: ServiceMetadata,
  written: ServiceMetadataStatus,
): EventRecord | undefined {
  const before = findCondition(object.status, ConditionType.Ready);
  const after = findCondition(written, ConditionType.Ready);
  if (after === undefined) {
    return undefined;
  }
  const { namespace, name, uid } = object.metadata;
  const subject = { apiVersion: object.apiVersion, kind: object.kind, namespace, name, uid };

  if (after.status === 'False') {
    const repeated =
      before?.status === 'False' &&
      before.reason === after.reason &&
      before.message === after.message;
    if (repeated) {
      return undefined;
    }
    const reason =
      after.reason === ConditionReason.Conflict
        ? ConditionReason.Conflict
        : (findCondition(written, ConditionType.Valid)?.reason ?? ConditionReason.Invalid);
    return { subject, type: 'Warning', reason, action: 'Validate', note: after.message };
  }

  if (after.status === 'True' && before?.status === 'False') {
    return {
      subject,
      type: 'Normal',
      reason: RECOVERED_REASON,
      action: 'Index',
      note: RECOVERED_NOTE,
    };
  }
  return undefined;
}
