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

/** Every module a file names in an import or export, type-only ones included. */
function allImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1]!,
  );
}

/** Stores own persistence: only they and the adapters may speak DynamoDB. */
function mayUseDynamoDb(file: string): boolean {
  const path = relative(ROOT, file);
  return path.startsWith('lambdas/adapters/') || path.endsWith('-store.ts');
}

const DYNAMODB_PACKAGES = /^@aws-sdk\/(client|lib|util)-dynamodb(\/|$)/;

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

  it('speaks DynamoDB only in stores (`*-store.ts`) and adapters: use cases call store methods', () => {
    const offenders = files.flatMap((file) =>
      mayUseDynamoDb(file)
        ? []
        : allImports(file)
            .filter((spec) => DYNAMODB_PACKAGES.test(spec))
            .map((spec) => `${relative(ROOT, file)} → ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('writes DynamoDB expressions only in stores and adapters: use cases hold decisions, not key conditions', () => {
    const offenders = files.filter(
      (file) =>
        !mayUseDynamoDb(file) &&
        /\b(UpdateExpression|ConditionExpression|KeyConditionExpression|FilterExpression|ProjectionExpression)\b/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders.map((file) => relative(ROOT, file))).toEqual([]);
  });

  it('notices a DynamoDB import however it is written', () => {
    expect(DYNAMODB_PACKAGES.test('@aws-sdk/lib-dynamodb')).toBe(true);
    expect(DYNAMODB_PACKAGES.test('@aws-sdk/client-dynamodb')).toBe(true);
    expect(DYNAMODB_PACKAGES.test('@aws-sdk/util-dynamodb')).toBe(true);
    expect(DYNAMODB_PACKAGES.test('@aws-sdk/client-dynamodb-streams')).toBe(false);
    expect(mayUseDynamoDb(join(ROOT, 'lambdas/outbound/send-reply.ts'))).toBe(false);
    expect(mayUseDynamoDb(join(ROOT, 'lambdas/contacts/contact-store.ts'))).toBe(true);
  });
});
