/**
 * Conflict detection between `ServiceMetadata` objects of one namespace: two valid objects that
 * declare the same service, environment, region and version conflict, because a caller that looks
 * for that service cannot tell which one is meant. Versions are compared as `semver.eq` does, so
 * `2.4.1`, `v2.4.1` and `2.4.1+build.7` are the same version. Objects of different namespaces never
 * conflict, so that no tenant learns about another's objects through a condition message.
 */
import { parseVersion } from '../query/version.ts';
import type { NormalizedSpec } from './service-metadata.ts';

/** Returns the identity under which two objects of `namespace` conflict. */
export function conflictIdentity(namespace: string, spec: NormalizedSpec): string {
  // SemVer precedence ignores build metadata, and `SemVer.version` leaves it out.
  const version = parseVersion(spec.version).version;
  return JSON.stringify([namespace, spec.service, spec.environment, spec.region, version]);
}

/** The objects that share each identity, kept up to date as objects change. */
export class ConflictTracker {
  private readonly identities = new Map<string, string>();
  private readonly groups = new Map<string, Set<string>>();
  private conflicting = 0;

  /**
   * Sets the identity of the object `key`, or removes it when `identity` is undefined (the object
   * was deleted or is invalid). Returns the keys whose conflicts may have changed: the object
   * itself and the members of its old and new groups.
   */
  update(key: string, identity: string | undefined): string[] {
    const previous = this.identities.get(key);
    if (previous === identity) {
      return [];
    }

    const affected = new Set<string>([key]);
    if (previous !== undefined) {
      const group = this.groups.get(previous);
      const size = group?.size ?? 0;
      group?.delete(key);
      this.conflicting += conflictingMembers(size - 1) - conflictingMembers(size);
      for (const member of group ?? []) {
        affected.add(member);
      }
      if (group?.size === 0) {
        this.groups.delete(previous);
      }
      this.identities.delete(key);
    }

    if (identity !== undefined) {
      this.identities.set(key, identity);
      const group = this.groups.get(identity) ?? new Set<string>();
      this.conflicting += conflictingMembers(group.size + 1) - conflictingMembers(group.size);
      group.add(key);
      this.groups.set(identity, group);
      for (const member of group) {
        affected.add(member);
      }
    }
    return [...affected];
  }

  /** Returns the other objects that share the identity of `key`, in ascending order. */
  conflictsOf(key: string): string[] {
    const identity = this.identities.get(key);
    const group = identity === undefined ? undefined : this.groups.get(identity);
    return [...(group ?? [])].filter((member) => member !== key).sort();
  }

  /** Number of objects that share their identity with at least one other object. */
  get conflictingObjects(): number {
    return this.conflicting;
  }

  /** Number of identities tracked, for tests that check nothing is left behind. */
  get size(): number {
    return this.groups.size;
  }
}

/** Returns how many members of a group of `size` objects are in conflict: all, or none alone. */
function conflictingMembers(size: number): number {
  return size >= 2 ? size : 0;
}

/** Returns the condition message of an object that conflicts with `others`. */
export function conflictMessage(spec: NormalizedSpec, others: readonly string[]): string {
  const subject =
    `service ${spec.service}, environment ${spec.environment}, region ${spec.region}, ` +
    `version ${spec.version}`;
  return (
    `${others.join(', ')} declares the same ${subject}; ` +
    'change or delete one of them so that each service is declared once'
  );
}
