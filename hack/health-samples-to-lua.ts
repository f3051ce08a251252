/**
 * Writes the Argo CD health test table as a Lua chunk, so that a stock Lua 5.1 interpreter, which
 * has no YAML parser, can run health.lua over the same samples as Argo CD's gopher-lua. Usage:
 * `node hack/health-samples-to-lua.ts TABLE OUT`, where TABLE is health_test.yaml and OUT the Lua
 * file to write. The chunk returns a list of `{ name, expected = { status, message }, object }`.
 * Objects are converted as Argo CD converts them: maps and lists become tables, numbers stay
 * numbers and null becomes nil.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

interface HealthTest {
  readonly healthStatus: { readonly status: string; readonly message: string };
  readonly inputPath: string;
}

/** Renders a string as a Lua 5.1 literal; bytes outside printable ASCII become decimal escapes. */
function luaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) {
      out += `\\${String.fromCharCode(byte)}`;
    } else if (byte >= 0x20 && byte < 0x7f) {
      out += String.fromCharCode(byte);
    } else {
      out += `\\${byte.toString().padStart(3, '0')}`;
    }
  }
  return `${out}"`;
}

/** Renders a decoded YAML value as a Lua 5.1 expression. */
function luaValue(value: unknown, path: string): string {
  if (value === null || value === undefined) {
    return 'nil';
  }
  if (typeof value === 'string') {
    return luaString(value);
  }
  if (typeof value === 'boolean') {
    return String(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new Error(`${path} is ${String(value)}; only finite numbers have a Lua literal`);
    }
    return String(value);
  }
  if (Array.isArray(value)) {
    return `{ ${value.map((item, i) => luaValue(item, `${path}[${String(i)}]`)).join(', ')} }`;
  }
  if (typeof value === 'object') {
    const fields = Object.entries(value).map(
      ([key, item]) => `[${luaString(key)}] = ${luaValue(item, `${path}.${key}`)}`,
    );
    return `{ ${fields.join(', ')} }`;
  }
  throw new Error(`${path} is a ${typeof value}, which has no Lua literal`);
}

/** Reads the test table and every sample it names, and returns the Lua chunk. */
function convert(tablePath: string): string {
  const table = parse(readFileSync(tablePath, 'utf8')) as { tests?: HealthTest[] };
  const tests = table.tests ?? [];
  if (tests.length === 0) {
    throw new Error(`${tablePath} lists no tests`);
  }
  const cases = tests.map((test) => {
    const samplePath = resolve(dirname(tablePath), test.inputPath);
    const object: unknown = parse(readFileSync(samplePath, 'utf8'));
    const expected = luaValue(test.healthStatus, `${test.inputPath} healthStatus`);
    const objectLua = luaValue(object, test.inputPath);
    const name = luaString(test.inputPath);
    return `  { name = ${name}, expected = ${expected}, object = ${objectLua} },`;
  });
  return `return {\n${cases.join('\n')}\n}\n`;
}

const [tablePath, outPath] = process.argv.slice(2);
if (tablePath === undefined || outPath === undefined) {
  process.stderr.write('usage: node hack/health-samples-to-lua.ts TABLE OUT\n');
  process.exit(2);
}
writeFileSync(outPath, convert(tablePath));
