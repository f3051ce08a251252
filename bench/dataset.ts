/**
 * The benchmark's data set: `ServiceMetadata` objects generated from a seed, so that every run with
 * the same seed creates the same objects in the same order. Object `i` depends only on the seed and
 * on the objects before it, so the first 1,000 objects of a 10,000-object set are the 1,000-object
 * set.
 *
 * Shape: 50 namespaces, 40 services with SemVer versions, 4 environments, 12 regions, 1 to 16 tags
 * per object drawn from a Zipf distribution (exponent 1) over 2,000 tags, and 0 to 8 attributes.
 * Every object carries the same facts as labels, so the API server can filter by them:
 * `environment`, `region` and one `tag.mesh.datapunk.io/<tag>: ""` label per tag.
 */

/** Number of namespaces the objects are spread over. */
export const NAMESPACE_COUNT = 50;
/** Number of distinct tags. */
export const TAG_COUNT = 2000;
/** The label key prefix of a tag label. */
export const TAG_LABEL_PREFIX = 'tag.mesh.datapunk.io/';

export const ENVIRONMENTS = ['production', 'staging', 'development', 'testing'] as const;

export const REGIONS = [
  'eu-west',
  'eu-central',
  'eu-north',
  'us-east',
  'us-west',
  'us-central',
  'ap-south',
  'ap-northeast',
  'ap-southeast',
  'sa-east',
  'af-south',
  'me-central',
] as const;

const SERVICE_COUNT = 40;
const MAX_TAGS = 16;
const MAX_ATTRIBUTES = 8;

/** Attribute names and the values each one takes. */
const ATTRIBUTE_VALUES: Readonly<Record<string, readonly string[]>> = {
  team: ['payments', 'search', 'identity', 'storefront', 'logistics', 'platform', 'data', 'ml'],
  tier: ['frontend', 'backend', 'batch', 'edge'],
  language: ['go', 'java', 'typescript', 'python', 'rust', 'kotlin'],
  'cost-center': ['cc-100', 'cc-200', 'cc-300', 'cc-400', 'cc-500'],
  owner: ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'],
  criticality: ['low', 'medium', 'high'],
  'on-call': ['primary', 'secondary'],
  protocol: ['http', 'grpc', 'kafka', 'amqp'],
  'data-class': ['public', 'internal', 'confidential'],
  runtime: ['jvm', 'node', 'native', 'wasm'],
};
const ATTRIBUTE_NAMES = Object.keys(ATTRIBUTE_VALUES);

/** The spec of one generated object. */
export interface GeneratedSpec {
  readonly service: string;
  readonly version: string;
  readonly environment: string;
  readonly region: string;
  readonly tags: readonly string[];
  readonly attributes: Readonly<Record<string, string>>;
}

/** One generated object: its identity, its spec and its labels. */
export interface GeneratedObject {
  readonly namespace: string;
  readonly name: string;
  readonly spec: GeneratedSpec;
  readonly labels: Readonly<Record<string, string>>;
}

/** Returns the name of namespace `index`, such as `bench-07`. */
export function namespaceName(index: number): string {
  return `bench-${String(index).padStart(2, '0')}`;
}

/** Returns the name of the tag of Zipf rank `rank` (0 is the most frequent), such as `tag-0042`. */
export function tagName(rank: number): string {
  return `tag-${String(rank).padStart(4, '0')}`;
}

/** Returns a pseudo-random generator of numbers in [0, 1): mulberry32, seeded with `seed`. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Returns a sampler of Zipf ranks in [0, count): rank r is drawn with a probability proportional to
 * 1 / (r + 1)^exponent, by binary search in the cumulative distribution.
 */
export function zipfSampler(count: number, exponent: number, random: () => number): () => number {
  const cumulative = new Float64Array(count);
  let total = 0;
  for (let rank = 0; rank < count; rank += 1) {
    total += 1 / Math.pow(rank + 1, exponent);
    cumulative[rank] = total;
  }

  return () => {
    const target = random() * total;
    let low = 0;
    let high = count - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] as number) < target) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }

    return low;
  };
}

/** Generates objects in a fixed order from a seed. */
export class DatasetGenerator {
  readonly #random: () => number;
  readonly #tagRank: () => number;
  readonly #versions: readonly (readonly string[])[];
  #next = 0;

  constructor(seed: number) {
    this.#random = seededRandom(seed);
    this.#tagRank = zipfSampler(TAG_COUNT, 1, this.#random);
    this.#versions = Array.from({ length: SERVICE_COUNT }, () => this.#serviceVersions());
  }

  /** Returns the next `count` objects. */
  take(count: number): GeneratedObject[] {
    return Array.from({ length: count }, () => this.next());
  }

  /** Returns the next object. */
  next(): GeneratedObject {
    const index = this.#next;
    this.#next += 1;

    const serviceIndex = this.#integer(SERVICE_COUNT);
    const versions = this.#versions[serviceIndex] as readonly string[];
    const spec: GeneratedSpec = {
      service: `service-${String(serviceIndex).padStart(2, '0')}`,
      version: this.#pick(versions),
      environment: this.#pick(ENVIRONMENTS),
      region: this.#pick(REGIONS),
      tags: this.#tags(),
      attributes: this.#attributes(),
    };
    const namespace = namespaceName(index % NAMESPACE_COUNT);
    const name = `${spec.service}-${String(index).padStart(6, '0')}`;
    return { namespace, name, spec, labels: labelsOf(spec) };
  }

  /** Ten to twenty versions of one service across majors 0 to 4, some of them pre-releases. */
  #serviceVersions(): string[] {
    const count = 10 + this.#integer(11);
    return Array.from({ length: count }, () => {
      const core = `${this.#integer(5)}.${this.#integer(10)}.${this.#integer(20)}`;
      return this.#random() < 0.1 ? `${core}-rc.${this.#integer(5)}` : core;
    });
  }

  #tags(): string[] {
    const wanted = 1 + this.#integer(MAX_TAGS);
    const tags = new Set<string>();
    while (tags.size < wanted) {
      tags.add(tagName(this.#tagRank()));
    }

    return [...tags].sort();
  }

  #attributes(): Record<string, string> {
    const count = this.#integer(MAX_ATTRIBUTES + 1);
    const attributes: Record<string, string> = {};
    while (Object.keys(attributes).length < count) {
      const name = this.#pick(ATTRIBUTE_NAMES);
      attributes[name] = this.#pick(ATTRIBUTE_VALUES[name] ?? []);
    }

    return attributes;
  }

  #integer(bound: number): number {
    return Math.floor(this.#random() * bound);
  }

  #pick<T>(values: readonly T[]): T {
    return values[this.#integer(values.length)] as T;
  }
}

/** Returns the labels that repeat a spec's environment, region and tags. */
export function labelsOf(spec: GeneratedSpec): Record<string, string> {
  const labels: Record<string, string> = {
    environment: spec.environment,
    region: spec.region,
  };
  for (const tag of spec.tags) {
    labels[`${TAG_LABEL_PREFIX}${tag}`] = '';
  }

  return labels;
}

/** Returns the manifest that creates a generated object. */
export function manifestOf(object: GeneratedObject): object {
  return {
    apiVersion: 'mesh.datapunk.io/v1alpha1',
    kind: 'ServiceMetadata',
    metadata: { namespace: object.namespace, name: object.name, labels: object.labels },
    spec: object.spec,
  };
}
