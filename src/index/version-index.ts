import type { Range, SemVer } from 'semver';

import { parseVersion } from '../query/version.ts';

/** The keys of one distinct display version, with the version parsed once. */
interface VersionEntry {
  readonly version: SemVer;
  readonly keys: Set<string>;
}

/** The distinct display versions that satisfy one range, and their record keys. */
export interface VersionMatch {
  /** Display versions, such as `1.2.3+build.5`, that satisfy the range. */
  readonly versions: ReadonlySet<string>;
  /** The key sets of those versions. They are disjoint because a record has one version. */
  readonly keySets: readonly ReadonlySet<string>[];
  /** Number of records whose version satisfies the range. */
  readonly count: number;
}

/**
 * VersionIndex maps each distinct display version to the set of record keys that have it, and
 * keeps the parsed `SemVer` of each version. A range query therefore tests each distinct version
 * once, however many records share it. It never keeps an empty set.
 *
 * Two display versions that differ only in build metadata (`1.2.3+a`, `1.2.3+b`) are separate
 * entries, but a range test returns the same result for both.
 */
export class VersionIndex {
  readonly #entries = new Map<string, VersionEntry>();

  /** Number of distinct display versions stored. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Parses a display version, reusing the stored `SemVer` when the version is already indexed.
   * Call it before changing anything, so that an invalid version leaves the index as it was.
   *
   * @throws QueryError when `display` is not an exact semantic version (see `parseVersion`).
   */
  parse(display: string): SemVer {
    return this.#entries.get(display)?.version ?? parseVersion(display);
  }

  /** Adds `key` to the set of `display`. `version` is `display` parsed, as `parse` returns it. */
  add(display: string, version: SemVer, key: string): void {
    const entry = this.#entries.get(display);
    if (entry === undefined) {
      this.#entries.set(display, { version, keys: new Set([key]) });
      return;
    }

    entry.keys.add(key);
  }

  /** Removes `key` from the set of `display`, and the version itself when no key is left. */
  remove(display: string, key: string): void {
    const entry = this.#entries.get(display);
    if (entry === undefined) {
      return;
    }

    entry.keys.delete(key);
    if (entry.keys.size === 0) {
      this.#entries.delete(display);
    }
  }

  /**
   * Finds the versions that satisfy a compiled range by testing each distinct version once. The
   * returned key sets are live, so a caller must not hold them across a write.
   */
  match(range: Range): VersionMatch {
    const versions = new Set<string>();
    const keySets: ReadonlySet<string>[] = [];
    let count = 0;

    for (const [display, entry] of this.#entries) {
      if (range.test(entry.version)) {
        versions.add(display);
        keySets.push(entry.keys);
        count += entry.keys.size;
      }
    }

    return { versions, keySets, count };
  }
}
