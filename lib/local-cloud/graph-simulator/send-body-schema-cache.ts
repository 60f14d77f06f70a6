import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSendBodySchema, loadSpecSchemas, type JsonSchema } from '#lib/local-cloud/graph-simulator/send-body-schema';

/**
 * Parsing the 1 MB YAML spec and building the schema take most of a second, on every start of the
 * local cloud and in every test process. The built schema (about 20 kB) is kept in the temp
 * directory under a hash of the spec, of the code that reads it and of the versions of the
 * libraries it uses, so any change to one of them builds it afresh.
 */
const READER_SOURCES = ['./send-body-schema.ts', './send-body-schema-cache.ts'];
const READER_LIBRARIES = ['@apidevtools/json-schema-ref-parser', 'json-schema-merge-allof', 'json-schema-traverse'];

async function cacheKey(specPath: string): Promise<string | undefined> {
  const hash = createHash('sha256').update(await readFile(specPath));
  const require = createRequire(import.meta.url);
  const files = [
    ...READER_SOURCES.map((source) => () => fileURLToPath(new URL(source, import.meta.url))),
    ...READER_LIBRARIES.map((library) => () => require.resolve(`${library}/package.json`)),
  ];
  for (const file of files) {
    try {
      hash.update(await readFile(file()));
    } catch {
      // Bundled or moved: without its sources the reader cannot tell a stale cache, so skip it.
      return undefined;
    }
  }
  return hash.digest('hex').slice(0, 32);
}

export async function cachedSendBodySchema(specPath: string): Promise<JsonSchema> {
  const key = await cacheKey(specPath);
  const file = key === undefined ? undefined : join(tmpdir(), 'graph-simulator', `send-body-schema-${key}.json`);
  if (file) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as JsonSchema;
    } catch {
      // Not cached yet (or unreadable): build it below.
    }
  }
  const schema = await buildSendBodySchema(await loadSpecSchemas(specPath));
  if (file) {
    try {
      await mkdir(join(tmpdir(), 'graph-simulator'), { recursive: true });
      // Write then rename, so a process starting in parallel never reads half a file.
      const partial = `${file}.${process.pid}.partial`;
      await writeFile(partial, JSON.stringify(schema));
      await rename(partial, file);
    } catch {
      // A cache that cannot be written only costs time.
    }
  }
  return schema;
}
