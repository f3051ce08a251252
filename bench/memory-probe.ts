/**
 * Measures the retained heap of the operator's copies of N generated objects, in a process of its
 * own that runs with `--expose-gc`. It prints one JSON line: the bytes per object held by the
 * reflector's store (the stored objects) and by the index (records and inverted indexes).
 *
 * Usage: node --expose-gc bench/memory-probe.ts <count> <seed>
 */
import { ObjectStore } from '../src/controller/reflector/store.ts';
import type { ServiceMetadata } from '../src/api/types.ts';
import { MetadataIndex } from '../src/index/metadata-index.ts';
import { DatasetGenerator } from './dataset.ts';
import { apiObjectJson, recordOf, storedObjectOf } from './records.ts';

/** The probe's output. */
export interface MemoryProbeResult {
  readonly objects: number;
  readonly storedBytesPerObject: number;
  readonly indexBytesPerObject: number;
}

function retainedHeap(): number {
  const collect = globalThis.gc;
  if (collect === undefined) {
    throw new Error('the memory probe needs node --expose-gc');
  }

  // Several passes, because one full collection can leave garbage that finalizers released.
  for (let pass = 0; pass < 4; pass += 1) {
    collect();
  }

  return process.memoryUsage().heapUsed;
}

function main(): void {
  const count = Number(process.argv[2]);
  const seed = Number(process.argv[3]);
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(seed)) {
    throw new Error(
      `invalid arguments ${JSON.stringify(process.argv.slice(2))}: want <count> <seed>`,
    );
  }

  const generator = new DatasetGenerator(seed);
  const store = new ObjectStore<ServiceMetadata>();
  const index = new MetadataIndex();

  // Warm up the code paths on one throwaway object, so compiled code is not counted as data.
  const warmStore = new ObjectStore<ServiceMetadata>();
  const warmIndex = new MetadataIndex();
  const warm = storedObjectOf(apiObjectJson(new DatasetGenerator(seed + 1).next(), 1));
  warmStore.upsert(warm);
  warmIndex.upsert(recordOf(warm));

  const baseline = retainedHeap();
  const stored: ServiceMetadata[] = [];
  for (let position = 0; position < count; position += 1) {
    const object = storedObjectOf(apiObjectJson(generator.next(), position + 1));
    store.upsert(object);
    stored.push(object);
  }

  stored.length = 0;
  const afterStore = retainedHeap();
  for (const object of store.values()) {
    index.upsert(recordOf(object));
  }

  const afterIndex = retainedHeap();
  // Reading both after the last measurement keeps them alive until then: V8 may otherwise collect
  // an object that the rest of the function no longer reads.
  const result: MemoryProbeResult = {
    objects: Math.min(store.size, index.size),
    storedBytesPerObject: (afterStore - baseline) / count,
    indexBytesPerObject: (afterIndex - afterStore) / count,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main();
