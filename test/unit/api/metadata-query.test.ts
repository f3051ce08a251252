import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { validateQuerySpec } from '../../../src/api/metadata-query.ts';

describe('validateQuerySpec', () => {
  it('confines a MetadataQuery to its namespace', () => {
    const result = validateQuerySpec({ tags: { all: ['pci'] } }, 'payments');
    assert.ok(result.valid);
    assert.deepEqual(result.query.namespaces, ['payments']);
    assert.equal(result.maxResults, 100);
  });

  it('keeps the namespaces of a cluster query', () => {
    const result = validateQuerySpec({ namespaces: ['a', 'b'] });
    assert.ok(result.valid);
    assert.deepEqual(result.query.namespaces, ['a', 'b']);
  });

  const invalid: [string, unknown, string | undefined, RegExp][] = [
    ['namespaces on a MetadataQuery', { namespaces: ['other'] }, 'payments', /spec\.namespaces/],
    ['empty namespaces on a MetadataQuery', { namespaces: [] }, 'payments', /spec\.namespaces/],
    ['an invalid range', { version: '>=x' }, undefined, /spec\.version/],
    ['an invalid selector', { selector: 'a in (' }, undefined, /spec\.selector/],
    ['maxResults over the cap', { maxResults: 501 }, undefined, /spec\.maxResults/],
    ['an unknown sort', { sort: 'size' }, undefined, /spec\.sort/],
    ['an unknown field', { colour: 'blue' }, undefined, /colour/],
    ['a spec that is a list', [], undefined, /spec/],
  ];
  for (const [name, spec, namespace, message] of invalid) {
    it(`rejects ${name}`, () => {
      const result = validateQuerySpec(spec, namespace);
      assert.equal(result.valid, false);
      assert.match(result.valid ? '' : result.message, message);
    });
  }

  it('accepts every example query', () => {
    const text = readFileSync(
      new URL('../../../examples/40-queries.yaml', import.meta.url),
      'utf8',
    );
    const queries = parseAllDocuments(text)
      .map(
        (document) =>
          document.toJS() as {
            kind?: string;
            metadata: { namespace?: string };
            spec: unknown;
          } | null,
      )
      .filter((object) => object?.kind?.endsWith('MetadataQuery'));
    assert.ok(queries.length >= 4);
    for (const query of queries) {
      const namespaced = query?.kind === 'MetadataQuery' ? query.metadata.namespace : undefined;
      const result = validateQuerySpec(query?.spec, namespaced);
      assert.ok(result.valid, result.valid ? '' : result.message);
    }
  });
});
