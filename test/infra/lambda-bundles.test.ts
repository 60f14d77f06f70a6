import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLE_TARGETS, LAMBDA_BUNDLING, PER_MESSAGE_HANDLERS } from '#lib/constructs/lambda-bundling';

/**
 * What must stay out of the per-message bundles (issue 14): the benchmark measures sizes and init
 * times; this keeps the causes from coming back unnoticed.
 */
async function bundleInputs(handler: string): Promise<{ inputs: string[]; bytes: number; bytesFrom: (fragment: string) => number }> {
  const { banner, ...options } = LAMBDA_BUNDLING;
  const result = await build({
    ...options,
    mainFields: [...options.mainFields],
    banner: { js: banner },
    entryPoints: [join(process.cwd(), 'lambdas/handlers', `${handler}.ts`)],
    bundle: true,
    write: false,
    outfile: `${handler}.mjs`,
    metafile: true,
    logLevel: 'error',
  });
  const metafile: Metafile = result.metafile;
  // The bundle itself, not its source map.
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith('.mjs'))![1];
  // Modules esbuild reached but tree-shook away are listed with 0 bytes.
  const kept = Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0);
  return {
    inputs: kept.map(([path]) => path),
    bytes: output.bytes,
    bytesFrom: (fragment) => kept.filter(([path]) => path.includes(fragment)).reduce((sum, [, input]) => sum + input.bytesInOutput, 0),
  };
}

describe('per-message Lambda bundles', () => {
  it.each(PER_MESSAGE_HANDLERS)(
    '%s carries no zod locales or JSON-schema import, and no SDK credential chain beyond Lambda’s',
    async (handler) => {
      const { inputs } = await bundleInputs(handler);
      // `import { z } from 'zod'` keeps the whole namespace (every locale, toJSONSchema); `import * as z` tree-shakes.
      expect(inputs.filter((p) => p.includes('zod/v4/locales/') && !p.endsWith('/en.js'))).toEqual([]);
      expect(inputs.filter((p) => p.includes('zod/v4/classic/from-json-schema'))).toEqual([]);
      // The SDK's default chain (SSO, profiles, STS web identity, EC2 metadata) is swapped for the Lambda one.
      expect(inputs.filter((p) => /credential-provider-(node|ini|sso|process|web-identity)\b|nested-clients/.test(p))).toEqual([]);
      expect(inputs).toContain('lambdas/adapters/lambda-credential-provider.ts');
    },
    60_000,
  );

  it('webhook has no S3 or Secrets Manager client (signed PUT and GetSecretValue instead) and meets its size target', async () => {
    const { inputs, bytes } = await bundleInputs('webhook');
    expect(inputs.filter((p) => /@aws-sdk\/client-(s3|secrets-manager)\/|@aws-lambda-powertools\/parameters\//.test(p))).toEqual([]);
    expect(bytes / 1024).toBeLessThanOrEqual(BUNDLE_TARGETS.webhookBundleKb);
  }, 60_000);

  it.each(['normalizer', 'media-download'] as const)(
    '%s reads and writes S3 objects without the S3 client',
    async (handler) => {
      const { inputs } = await bundleInputs(handler);
      expect(inputs.filter((p) => p.includes('@aws-sdk/client-s3/'))).toEqual([]);
      expect(inputs).toContain('lambdas/adapters/s3-signed-object.ts');
    },
    60_000,
  );

  it.each(['agent', 'outbound-send', 'reply-watch', 'media-download'] as const)(
    '%s validates with zod/mini only, with its English messages',
    async (handler) => {
      const { inputs } = await bundleInputs(handler);
      // Classic zod (its methods on every schema) is about 65 KB more than zod/mini for the same schemas.
      expect(inputs.filter((p) => p.includes('node_modules/zod/v4/classic/'))).toEqual([]);
      expect(inputs).toContain('lambdas/shared/zod-messages.ts');
      expect(inputs.some((p) => p.endsWith('zod/v4/locales/en.js'))).toBe(true);
    },
    60_000,
  );

  it('agent detects languages with the en/es/pt n-grams only, not eld’s 60-language database', async () => {
    const { inputs, bytesFrom } = await bundleInputs('agent');
    expect(inputs.filter((p) => p.includes('node_modules/eld/'))).toEqual([]);
    expect(bytesFrom('lambdas/agent/understanding/language-ngrams.ts') / 1024).toBeLessThan(150);
  }, 60_000);

  it('agent carries only the Messages API of the Anthropic SDK', async () => {
    const { inputs, bytesFrom } = await bundleInputs('agent');
    expect(inputs.some((p) => p.includes('@anthropic-ai/sdk/resources/messages/'))).toBe(true);
    // The full client (Beta, Organization, Files, Skills…) is about 410 KB; the Messages API alone about 115 KB.
    expect(bytesFrom('@anthropic-ai/sdk/') / 1024).toBeLessThan(160);
    expect(bytesFrom('@anthropic-ai/sdk/resources/beta/') / 1024).toBeLessThan(10);
  }, 60_000);
});
