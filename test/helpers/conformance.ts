import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared conformance corpus sits beside the repository root. */
export const CONFORMANCE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/conformance');

export function conformanceFiles(folder: string): string[] {
  return readdirSync(join(CONFORMANCE_DIR, folder))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function readConformance(folder: string, file: string): string {
  return readFileSync(join(CONFORMANCE_DIR, folder, file), 'utf8');
}

export function readConformanceJson<T = any>(folder: string, file: string): T {
  return JSON.parse(readConformance(folder, file)) as T;
}
