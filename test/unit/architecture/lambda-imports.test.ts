import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Runtime imports of a file (type-only imports vanish from bundles). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'";]*?from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1]!,
  );
}

describe('what Lambda code may import', () => {
  const files = sources(join(ROOT, 'lambdas'));

  it('finds the Lambda sources', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('never imports the CDK app (lib/) or aws-cdk-lib: a bundle would carry the whole CDK library', () => {
    const offenders = files.flatMap((file) =>
      runtimeImports(file)
        .filter((spec) => spec.startsWith('#lib/') || spec.startsWith('aws-cdk-lib') || spec === 'constructs' || spec.startsWith('#test/'))
        .map((spec) => `${relative(ROOT, file)} → ${spec}`),
    );
    expect(offenders).toEqual([]);
  });
});
