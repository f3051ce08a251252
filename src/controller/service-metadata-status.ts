import { desiredStatus, statusEquals, type Outcome } from '../api/conditions.ts';
import { conflictMessage } from '../api/conflicts.ts';
import { validateServiceMetadata, type ValidationLimits } from '../api/service-metadata.ts';
import type { ServiceMetadata, ServiceMetadataStatus } from '../api/types.ts';

/** The rules that compute and compare the status of a `ServiceMetadata` object. */
export interface ServiceMetadataStatusRules {
  readonly desired: (object: ServiceMetadata) => ServiceMetadataStatus;
  readonly equals: (desired: ServiceMetadataStatus, stored?: ServiceMetadataStatus) => boolean;
}

/**
 * Returns the status rules of `ServiceMetadata`: the validation outcome against `limits`, and a
 * conflict with the objects that `conflictsOf` names, as the Valid, Ready and Stalled conditions,
 * with `now` as the clock of lastTransitionTime.
 */
export function serviceMetadataStatus(
  limits: ValidationLimits,
  conflictsOf: (key: string) => readonly string[] = () => [],
  now: () => Date = () => new Date(),
): ServiceMetadataStatusRules {
  const outcomeOf = (object: ServiceMetadata): Outcome => {
    const result = validateServiceMetadata(object.spec, limits);
    if (!result.valid) {
      return { valid: false, reason: result.reason, message: result.message };
    }
    const others = conflictsOf(`${object.metadata.namespace}/${object.metadata.name}`);
    return others.length === 0
      ? { valid: true }
      : { valid: true, conflict: conflictMessage(result.spec, others) };
  };

  return {
    desired: (object) =>
      desiredStatus(object.status, object.metadata.generation, outcomeOf(object), now()),
    equals: (desired, stored) => statusEquals(desired, stored ?? {}),
  };
}
