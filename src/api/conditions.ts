/**
 * Status conditions of `ServiceMetadata`, computed as pure functions of the previous status, the
 * object's generation, the outcome of validation and an injected clock.
 *
 * The operator owns three condition types, named after the kstatus conventions of
 * sigs.k8s.io/cli-utils. `Valid` reports validation and `Ready` reports whether the object is
 * indexed, so `kubectl wait --for=condition=Ready` works. `Stalled` is present only while the spec
 * cannot make progress until the user changes it.
 *
 * The operator never writes `Reconciling`, because it indexes an object in the watch handler and
 * has no long-running step to report. It removes a `Reconciling` condition left by an earlier
 * writer. Conditions of any other type belong to other writers and are kept unchanged.
 */
import { CONDITION_MESSAGE_MAX_LENGTH } from './limits.ts';
import type { ValidationFailureReason } from './service-metadata.ts';
import type { Condition, ServiceMetadataStatus } from './types.ts';

/** The condition types that the operator writes or removes. */
export const ConditionType = {
  Ready: 'Ready',
  Valid: 'Valid',
  Stalled: 'Stalled',
  Reconciling: 'Reconciling',
} as const;

/** The reasons that the operator's conditions carry. */
export const ConditionReason = {
  /** `Valid=True`: the spec passed validation. */
  Valid: 'Valid',
  /** `Ready=True`: the object is in the index and queries return it. */
  Indexed: 'Indexed',
  /** `Ready=False`: the spec is invalid, so the object is not in the index. */
  Invalid: 'Invalid',
  /** `Valid=False` and `Stalled=True`: a field breaks the schema or an allowed list. */
  InvalidValue: 'InvalidValue',
  /** `Valid=False` and `Stalled=True`: the spec exceeds a configured limit. */
  LimitExceeded: 'LimitExceeded',
  /**
   * `Ready=False` and `Stalled=True` on a valid object: another object of the namespace declares
   * the same service, environment, region and version.
   */
  Conflict: 'Conflict',
} as const;

const VALID_MESSAGE = 'the spec passed validation';
const INDEXED_MESSAGE = 'the object is indexed and queries return it';

/** The condition types that the operator manages; any other type is kept as it was. */
const OWNED_TYPES: ReadonlySet<string> = new Set(Object.values(ConditionType));

/**
 * The result of validating the object's current generation. A new outcome, such as a conflict
 * with another object, is added as a union member with a branch in `conditionsForOutcome`.
 */
export type Outcome =
  | {
      valid: true;
      /** The reason of `Ready=True`. Default: `Indexed`. */
      readyReason?: string;
      /** The message of `Ready=True`. Default: that the object is indexed. */
      readyMessage?: string;
      /** A conflict with other objects, as a message naming them; Ready is then False. */
      conflict?: string;
    }
  | { valid: false; reason: ValidationFailureReason; message: string };

/** A condition as an outcome requires it, before the generation and time are added. */
type DesiredCondition = Pick<Condition, 'type' | 'status' | 'reason' | 'message'>;

/** Returns the operator's conditions for an outcome; an owned type left out is removed. */
function conditionsForOutcome(outcome: Outcome): DesiredCondition[] {
  if (outcome.valid && outcome.conflict !== undefined) {
    const message = truncateMessage(outcome.conflict);
    const reason = ConditionReason.Conflict;
    return [
      { type: ConditionType.Ready, status: 'False', reason, message },
      {
        type: ConditionType.Valid,
        status: 'True',
        reason: ConditionReason.Valid,
        message: VALID_MESSAGE,
      },
      { type: ConditionType.Stalled, status: 'True', reason, message },
    ];
  }
  if (outcome.valid) {
    return [
      {
        type: ConditionType.Ready,
        status: 'True',
        reason: outcome.readyReason ?? ConditionReason.Indexed,
        message: outcome.readyMessage ?? INDEXED_MESSAGE,
      },
      {
        type: ConditionType.Valid,
        status: 'True',
        reason: ConditionReason.Valid,
        message: VALID_MESSAGE,
      },
    ];
  }

  const message = truncateMessage(outcome.message);
  return [
    { type: ConditionType.Ready, status: 'False', reason: ConditionReason.Invalid, message },
    { type: ConditionType.Valid, status: 'False', reason: outcome.reason, message },
    { type: ConditionType.Stalled, status: 'True', reason: outcome.reason, message },
  ];
}

/**
 * Computes the status that the object should have: the operator's conditions for the outcome,
 * each with `observedGeneration` set to `generation`, followed by the previous conditions of
 * other writers, unchanged. A condition keeps its previous `lastTransitionTime` unless it is new
 * or its status changed, in which case it gets `now`.
 *
 * NOTE: the CRD admits at most 16 conditions. When other writers already fill that list, the
 * result has more and the API server rejects the status update.
 */
export function desiredStatus(
  previous: ServiceMetadataStatus | undefined,
  generation: number,
  outcome: Outcome,
  now: Date,
): ServiceMetadataStatus {
  const previousConditions = previous?.conditions ?? [];
  const previousByType = new Map(
    previousConditions.map((condition) => [condition.type, condition]),
  );
  const transitionTime = formatConditionTime(now);

  const owned = conditionsForOutcome(outcome).map((desired): Condition => {
    const before = previousByType.get(desired.type);
    const unchanged = before !== undefined && before.status === desired.status;
    return {
      ...desired,
      lastTransitionTime:
        unchanged && before.lastTransitionTime ? before.lastTransitionTime : transitionTime,
      observedGeneration: generation,
    };
  });
  const foreign = previousConditions
    .filter((condition) => !OWNED_TYPES.has(condition.type))
    .map((condition) => ({ ...condition }));

  return { observedGeneration: generation, conditions: [...owned, ...foreign] };
}

/**
 * Reports whether two statuses are the same in meaning: the same `observedGeneration` and the
 * same conditions in any order, with timestamps compared as instants. An absent condition list
 * equals an empty one. Used to skip a status write that would change nothing.
 */
export function statusEquals(
  a: ServiceMetadataStatus | undefined,
  b: ServiceMetadataStatus | undefined,
): boolean {
  if (a?.observedGeneration !== b?.observedGeneration) {
    return false;
  }

  const left = a?.conditions ?? [];
  const right = b?.conditions ?? [];
  const rightByType = new Map(right.map((condition) => [condition.type, condition]));
  const leftTypes = new Set(left.map((condition) => condition.type));
  if (left.length !== right.length || leftTypes.size !== rightByType.size) {
    return false;
  }
  return left.every((condition) => {
    const other = rightByType.get(condition.type);
    return other !== undefined && conditionEquals(condition, other);
  });
}

function conditionEquals(a: Condition, b: Condition): boolean {
  return (
    a.type === b.type &&
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.observedGeneration === b.observedGeneration &&
    sameInstant(a.lastTransitionTime, b.lastTransitionTime)
  );
}

/** Compares two RFC 3339 timestamps as instants, and as text when either does not parse. */
function sameInstant(a: string, b: string): boolean {
  if (a === b) {
    return true;
  }
  const left = Date.parse(a);
  const right = Date.parse(b);
  return !Number.isNaN(left) && left === right;
}

/**
 * Formats a time as `metav1.Time` serializes it: RFC 3339 in UTC with second precision, such as
 * `2026-01-02T03:04:05Z`. Sub-second parts are dropped, not rounded.
 *
 * @throws RangeError when `now` is an invalid date.
 */
export function formatConditionTime(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Returns the condition of the given type, or undefined when the status has none. */
export function findCondition(
  status: ServiceMetadataStatus | undefined,
  type: string,
): Condition | undefined {
  return status?.conditions?.find((condition) => condition.type === type);
}

/** Cuts a message to the CRD's maximum condition message length. */
function truncateMessage(message: string): string {
  if (message.length <= CONDITION_MESSAGE_MAX_LENGTH) {
    return message;
  }
  return `${message.slice(0, CONDITION_MESSAGE_MAX_LENGTH - 3)}...`;
}
