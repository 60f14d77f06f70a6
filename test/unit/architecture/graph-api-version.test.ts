import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  GRAPH_API_OPENAPI_SPEC_FILE,
  GRAPH_API_VERSION,
  GRAPH_API_VERSION_AVAILABLE_UNTIL,
  GRAPH_API_VERSION_INTRODUCED,
} from '#lambdas/shared/graph-api-version';
import { DEFAULT_SPEC_PATH } from '#lib/local-cloud/graph-simulator/send-body-schema';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const VERSION_MODULE = join(ROOT, 'lambdas', 'shared', 'graph-api-version.ts');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Graph API versions look like v16.0 … v39.0; Salesforce's v62.0 and the like are not Meta's. */
const GRAPH_VERSION_LITERAL = /\bv[1-3]\d\.\d\b/;

describe("Meta's Graph API version lives in one place", () => {
  it('is named nowhere in Lambda, CDK, simulator or CLI code but lambdas/shared/graph-api-version.ts', () => {
    const files = ['lambdas', 'lib', 'bin'].flatMap((dir) => sources(join(ROOT, dir))).filter((f) => f !== VERSION_MODULE);
    expect(files.length).toBeGreaterThan(200);
    const offenders = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${relative(ROOT, file)}:${i + 1}` }))
        // Comments may give an example; code may not carry a version of its own.
        .filter(({ line }) => !/^\s*(\*|\/\/|\/\*)/.test(line) && GRAPH_VERSION_LITERAL.test(line.replace(/\/\/.*$/, '')))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });

  it('is a version Meta names, with the dates from its changelog in order', () => {
    expect(GRAPH_API_VERSION).toMatch(/^v\d+\.\d$/);
    expect(Date.parse(GRAPH_API_VERSION_INTRODUCED)).toBeLessThan(Date.parse(GRAPH_API_VERSION_AVAILABLE_UNTIL));
  });

  it('has the matching OpenAPI spec vendored beside the simulator, which validates against it', () => {
    expect(GRAPH_API_OPENAPI_SPEC_FILE).toContain(GRAPH_API_VERSION);
    expect(basename(DEFAULT_SPEC_PATH)).toBe(GRAPH_API_OPENAPI_SPEC_FILE);
    expect(existsSync(DEFAULT_SPEC_PATH)).toBe(true);
    // The spec's own `info.version` (read from its head: the file is a megabyte of YAML).
    const head = readFileSync(DEFAULT_SPEC_PATH, 'utf8').slice(0, 2_000);
    expect(/^info:\n(?: {2}.*\n)*? {2}version: (\S+)$/m.exec(head)?.[1]).toBe(GRAPH_API_VERSION);
  });
});
