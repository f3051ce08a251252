/**
 * In-process write cost of the index: the time of one `MetadataIndex.upsert` that adds a record,
 * and of one that replaces a record with a changed version and tag list, as a watch event does.
 */
import { MetadataIndex } from '../src/index/metadata-index.ts';
import type { MetadataRecord } from '../src/index/record.ts';
import { nowMs } from './stats.ts';

/** The mean time per index write, in microseconds. */
export interface IndexWriteCost {
  readonly records: number;
  readonly addUs: number;
  readonly updateUs: number;
  readonly deleteUs: number;
}

/** Measures adding every record, changing every record once, and deleting every record. */
export function measureIndexWrites(records: readonly MetadataRecord[]): IndexWriteCost {
  const index = new MetadataIndex();

  let start = nowMs();
  for (const record of records) {
    index.upsert(record);
  }
  const addMs = nowMs() - start;

  // A query between writes makes the index rebuild any cached sort order, as traffic would.
  index.query({ ...broadQuery, tags: { all: [], any: [], none: [] } });
  const changed = records.map(changedRecord);
  start = nowMs();
  for (const record of changed) {
    index.upsert(record);
  }
  const updateMs = nowMs() - start;

  start = nowMs();
  for (const record of changed) {
    index.delete(record.key);
  }
  const deleteMs = nowMs() - start;

  const perRecordUs = (ms: number): number => (ms * 1000) / records.length;
  return {
    records: records.length,
    addUs: perRecordUs(addMs),
    updateUs: perRecordUs(updateMs),
    deleteUs: perRecordUs(deleteMs),
  };
}

const broadQuery = {
  namespaces: [],
  services: [],
  environments: { in: [], notIn: [] },
  regions: { in: [], notIn: [] },
  includePrerelease: false,
  sort: 'name' as const,
};

function changedRecord(record: MetadataRecord): MetadataRecord {
  return {
    ...record,
    generation: record.generation + 1,
    version: `${record.version.split(/[-+]/)[0] ?? '0.0.0'}-bench.1`,
    tags: record.tags.slice(1),
  };
}
