import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** The first load's compressed JavaScript may not exceed this (issue 16). */
export const FIRST_LOAD_JS_BUDGET_BYTES = 200 * 1024;

export interface FirstLoadSize {
  files: Array<{ path: string; raw: number; gzip: number; brotli: number }>;
  raw: number;
  gzip: number;
  brotli: number;
}

/** The scripts `index.html` loads before the app runs: the entry and the chunks Vite preloads for it. */
export function firstLoadScripts(indexHtml: string): string[] {
  const paths = new Set<string>();
  for (const m of indexHtml.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) paths.add(m[1]!);
  for (const m of indexHtml.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) paths.add(m[1]!);
  return [...paths];
}

export function compressedSizes(content: Buffer): { raw: number; gzip: number; brotli: number } {
  return {
    raw: content.length,
    gzip: gzipSync(content, { level: 9 }).length,
    brotli: brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** The first load's JavaScript of a build in `distDir` (served at `/console/`). */
export function measureFirstLoad(distDir: string, base = '/console/'): FirstLoadSize {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const files = firstLoadScripts(html).map((src) => {
    const relative = src.startsWith(base) ? src.slice(base.length) : src.replace(/^\.?\//, '');
    return { path: relative, ...compressedSizes(readFileSync(join(distDir, relative))) };
  });
  if (files.length === 0) throw new Error('index.html loads no module script: is this a Vite build?');
  const sum = (k: 'raw' | 'gzip' | 'brotli') => files.reduce((n, f) => n + f[k], 0);
  return { files, raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli') };
}
