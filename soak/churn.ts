/**
 * The soak run's load: a fixed set of object names spread over a few namespaces, and random
 * creates, updates and deletes over them through the API server. Because the names are fixed,
 * `restoreAll` brings the population back to one object per name, the same count as at the start,
 * so that heap and index sizes before and after the churn compare like with like.
 */
import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';

const GROUP = 'mesh.datapunk.io';
const VERSION = 'v1alpha1';
const PLURAL = 'servicemetadatas';
const ENVIRONMENTS = ['production', 'staging', 'development', 'test'];
const REGIONS = ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south', 'ap-east'];

/** Counts of the operations that the churn sent, by outcome. */
export interface ChurnCounts {
  creates: number;
  updates: number;
  deletes: number;
  /** Requests that failed, mostly while kube-apiserver restarts. A later step retries the name. */
  failures: number;
  /** The highest resourceVersion that a successful write returned. */
  lastResourceVersion: string;
}

/** One name of the fixed population. */
interface Slot {
  readonly namespace: string;
  readonly name: string;
  exists: boolean;
}

/** Random churn over a fixed population of `ServiceMetadata` names. */
export class Churn {
  readonly namespaces: readonly string[];
  readonly counts: ChurnCounts = {
    creates: 0,
    updates: 0,
    deletes: 0,
    failures: 0,
    lastResourceVersion: '0',
  };
  private readonly api: CustomObjectsApi;
  private readonly slots: Slot[] = [];

  constructor(kubeconfigPath: string, objects: number, namespaces: number) {
    const config = new KubeConfig();
    config.loadFromFile(kubeconfigPath);
    this.api = config.makeApiClient(CustomObjectsApi);
    this.namespaces = Array.from({ length: namespaces }, (_, index) => `soak-${index}`);
    for (let index = 0; index < objects; index += 1) {
      const namespace = this.namespaces[index % namespaces] ?? 'soak-0';
      this.slots.push({ namespace, name: `svc-${String(index).padStart(6, '0')}`, exists: false });
    }
  }

  /** The number of names, which is the population after `restoreAll`. */
  get population(): number {
    return this.slots.length;
  }

  /** Sends one random operation: a create for an absent name, else an update or a delete. */
  async step(): Promise<void> {
    const slot = this.slots[Math.floor(Math.random() * this.slots.length)];
    if (slot === undefined) {
      return;
    }
    if (!slot.exists) {
      await this.create(slot);
    } else if (Math.random() < 0.7) {
      await this.update(slot);
    } else {
      await this.remove(slot);
    }
  }

  /** Creates every absent name and rewrites every present one, `concurrency` at a time. */
  async restoreAll(concurrency: number): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let slot = this.slots[next++]; slot !== undefined; slot = this.slots[next++]) {
        // A failure during a restore is retried until it succeeds: the count must come back.
        for (;;) {
          const ok = slot.exists ? await this.update(slot) : await this.create(slot);
          if (ok) {
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  private async create(slot: Slot): Promise<boolean> {
    const body = {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'ServiceMetadata',
      metadata: { namespace: slot.namespace, name: slot.name },
      spec: randomSpec(slot.name),
    };
    return this.send(async () => {
      const created = (await this.api.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: slot.namespace,
        plural: PLURAL,
        body,
      })) as { metadata?: { resourceVersion?: string } };
      slot.exists = true;
      this.counts.creates += 1;
      return created.metadata?.resourceVersion;
    });
  }

  private async update(slot: Slot): Promise<boolean> {
    return this.send(async () => {
      const patched = (await this.api.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace: slot.namespace,
          plural: PLURAL,
          name: slot.name,
          body: { spec: randomSpec(slot.name) },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )) as { metadata?: { resourceVersion?: string } };
      this.counts.updates += 1;
      return patched.metadata?.resourceVersion;
    });
  }

  private async remove(slot: Slot): Promise<boolean> {
    return this.send(async () => {
      await this.api.deleteNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: slot.namespace,
        plural: PLURAL,
        name: slot.name,
      });
      slot.exists = false;
      this.counts.deletes += 1;
      return undefined;
    });
  }

  /** Runs one request, records its resourceVersion, and turns a failure into `false`. */
  private async send(request: () => Promise<string | undefined>): Promise<boolean> {
    try {
      const resourceVersion = await request();
      if (
        resourceVersion !== undefined &&
        isNewer(resourceVersion, this.counts.lastResourceVersion)
      ) {
        this.counts.lastResourceVersion = resourceVersion;
      }
      return true;
    } catch {
      this.counts.failures += 1;
      return false;
    }
  }
}

/** Compares two decimal resourceVersions, which kube-apiserver backed by etcd returns. */
function isNewer(candidate: string, current: string): boolean {
  return BigInt(candidate) > BigInt(current);
}

function pick<T>(values: readonly T[]): T {
  return values[Math.floor(Math.random() * values.length)] as T;
}

function randomInt(max: number): number {
  return Math.floor(Math.random() * max);
}

/** A random spec: up to 8 tags of 200, up to 4 attributes, a version among a few hundred. */
function randomSpec(name: string): object {
  const tags = Array.from({ length: 1 + randomInt(8) }, () => `tag-${randomInt(200)}`);
  const attributes: Record<string, string> = {};
  for (let index = randomInt(5); index > 0; index -= 1) {
    attributes[`key-${randomInt(20)}`] = `value-${randomInt(50)}`;
  }
  return {
    service: `service-${name.slice(-2)}`,
    version: `${randomInt(5)}.${randomInt(20)}.${randomInt(10)}`,
    environment: pick(ENVIRONMENTS),
    region: pick(REGIONS),
    tags: [...new Set(tags)],
    attributes,
  };
}
