import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const HANDLERS = join(ROOT, 'lambdas', 'handlers');
const ENVIRONMENTS = join(HANDLERS, 'environment');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The one reader of the variables the stack sets for our handlers. */
const HELPER = 'lambdas/shared/handler-environment.ts';

/**
 * The AWS SDK's own convention, kept by the adapters that stand in for SDK clients (the signed S3
 * and Secrets Manager requests, the Lambda credential chain): region, endpoints and credentials
 * come from `AWS_*` variables that the Lambda runtime (or the local cloud) sets, not the stack, and
 * the SDK reads them where it needs them. Such an adapter may read those and nothing else.
 */
const AWS_CONVENTION_DIR = 'lambdas/adapters/';
const VARIABLE_NAMES = /(?:\benv\s*\.\s*|['"])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/g;

/** `process.env`, `process['env']`, `const { env } = process`, outside comments. */
const PROCESS_ENV = /\bprocess\s*(?:\.\s*env\b|\[\s*['"]env['"]\s*\])|\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/;

function code(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, ''))
    .filter((line) => !/^\s*(\*|\/\*)/.test(line));
}

describe('each handler reads its configuration through one environment schema', () => {
  const handlers = readdirSync(HANDLERS)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => basename(name, '.ts'));

  it('no Lambda source but the helper reads process.env (the AWS SDK convention aside)', () => {
    const files = sources(join(ROOT, 'lambdas')).map((file) => relative(ROOT, file));
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain(HELPER);
    const offenders = files
      .filter((file) => file !== HELPER)
      .flatMap((file) => {
        const lines = code(readFileSync(join(ROOT, file), 'utf8'));
        const reads = lines.filter((line) => PROCESS_ENV.test(line));
        if (reads.length === 0) return [];
        if (!file.startsWith(AWS_CONVENTION_DIR)) return reads.map((line) => `${file}: ${line.trim()}`);
        const names = lines.flatMap((line) => [...line.matchAll(VARIABLE_NAMES)].map((m) => m[1]!));
        return names.filter((name) => !name.startsWith('AWS_')).map((name) => `${file}: reads ${name} directly`);
      });
    expect(offenders).toEqual([]);
  });

  it('notices the ways of reading the environment directly', () => {
    for (const line of [
      'const a = process.env.TABLE_NAME;',
      "const b = process.env['X'];",
      "const c = process['env'];",
      'const { env } = process;',
      'const { env: e, argv } = process;',
    ]) {
      expect(PROCESS_ENV.test(line), line).toBe(true);
    }
    for (const line of ['const env = readEnvironment(environmentSchema);', 'env.TABLE_NAME', 'const processEnvironment = 1;']) {
      expect(PROCESS_ENV.test(line), line).toBe(false);
    }
  });

  it('lets an adapter read AWS_* variables and nothing else directly', () => {
    const names = (line: string) => [...line.matchAll(VARIABLE_NAMES)].map((m) => m[1]);
    expect(names('const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;')).toEqual(['AWS_REGION', 'AWS_DEFAULT_REGION']);
    expect(names("const CONTAINER = ['AWS_CONTAINER_CREDENTIALS_FULL_URI'];")).toEqual(['AWS_CONTAINER_CREDENTIALS_FULL_URI']);
    expect(names("const table = process.env.TABLE_NAME ?? env['EVENT_BUS_NAME'];")).toEqual(['TABLE_NAME', 'EVENT_BUS_NAME']);
  });

  it('every handler has its schema in lambdas/handlers/environment/ and reads it once, at init', () => {
    expect(handlers.length).toBeGreaterThan(25);
    const problems = handlers.flatMap((handler) => {
      const schemaFile = join(ENVIRONMENTS, `${handler}.ts`);
      if (!existsSync(schemaFile)) return [`${handler}: no lambdas/handlers/environment/${handler}.ts`];
      const source = readFileSync(join(HANDLERS, `${handler}.ts`), 'utf8');
      const found: string[] = [];
      if (!source.includes(`import { environmentSchema } from '#lambdas/handlers/environment/${handler}';`))
        found.push(`${handler}: does not import its own schema`);
      // At the module's top level: the init fails, not a message.
      if ((source.match(/^const env = readEnvironment\(environmentSchema\);$/gm) ?? []).length !== 1)
        found.push(`${handler}: does not read its schema once at the top level`);
      if ((source.match(/readEnvironment\(/g) ?? []).length !== 1) found.push(`${handler}: reads the environment more than once`);
      return found;
    });
    expect(problems).toEqual([]);
  });

  it('every schema in lambdas/handlers/environment/ belongs to a handler and exports `environmentSchema`', async () => {
    const schemas = readdirSync(ENVIRONMENTS).map((name) => basename(name, '.ts'));
    expect(schemas.filter((name) => !handlers.includes(name))).toEqual([]);
    for (const name of schemas) {
      const module = (await import(`#lambdas/handlers/environment/${name}`)) as { environmentSchema?: Record<string, unknown> };
      expect(Object.keys(module.environmentSchema ?? {}).length, name).toBeGreaterThan(0);
    }
  });
});
