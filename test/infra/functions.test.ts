import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '#lambdas/shared/event-contract';
import { environmentOf, FUNCTION_IDS, resourceOfType, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

// This file bundles the real handlers with esbuild, so it also catches a handler that no longer builds.
describe('Lambda functions', () => {
  let synth: SynthesizedStack;
  let assemblyDir: string;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev', bundle: true });
    assemblyDir = synth.app.synth().directory;
  });

  it('are exactly the five pipeline functions', () => {
    expect(Object.keys(synth.template.findResources('AWS::Lambda::Function')).sort()).toEqual([...FUNCTION_IDS].sort());
  });

  describe.each(FUNCTION_IDS)('%s', (functionId) => {
    it('runs Node.js 22 on arm64 with active tracing and JSON logs in its own log group', () => {
      const fn = resourceOfType(synth.json, functionId, 'AWS::Lambda::Function');
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
        Role: { 'Fn::GetAtt': [`${functionId}Role`, 'Arn'] },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: `${functionId}LogGroup` } },
      });
      const logGroup = resourceOfType(synth.json, `${functionId}LogGroup`, 'AWS::Logs::LogGroup');
      expect(logGroup.Properties?.['RetentionInDays']).toBe(30);
    });

    it('carries the Powertools, stage and source-map settings', () => {
      expect(environmentOf(synth.json, functionId)).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: expect.stringMatching(/^[a-z-]+$/),
        POWERTOOLS_METRICS_NAMESPACE: 'OmnichannelSupport',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        [ENV.stage]: 'dev',
      });
    });

    it('has explicit memory and timeout', () => {
      const fn = resourceOfType(synth.json, functionId, 'AWS::Lambda::Function');
      expect(fn.Properties?.['MemorySize']).toBeGreaterThanOrEqual(128);
      expect(fn.Properties?.['Timeout']).toBeGreaterThan(0);
      expect(fn.Properties?.['Timeout']).toBeLessThanOrEqual(120);
    });

    it('is bundled as a minified ESM module that can still require CommonJS, with a source map', () => {
      const fn = resourceOfType(synth.json, functionId, 'AWS::Lambda::Function');
      const s3Key = (fn.Properties!['Code'] as { S3Key: string }).S3Key;
      const assetDir = join(assemblyDir, `asset.${s3Key.replace(/\.zip$/, '')}`);
      const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
      expect(bundle.startsWith("import { createRequire as __createRequire } from 'node:module';")).toBe(true);
      expect(bundle).toContain('const require = __createRequire(import.meta.url);');
      expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
      expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
    });
  });

  it('sizes each function for its work', () => {
    const sizing = Object.fromEntries(
      FUNCTION_IDS.map((id) => {
        const props = resourceOfType(synth.json, id, 'AWS::Lambda::Function').Properties ?? {};
        return [id, { memory: props['MemorySize'], timeout: props['Timeout'] }];
      }),
    );
    expect(sizing['WebhookFunction']).toEqual({ memory: 256, timeout: 10 });
    // The per-message functions wait on I/O (the table, the Graph API, the model) far more than
    // they compute; their duration is billed per GB-second, so none gets more than 256 MB.
    for (const id of ['NormalizerFunction', 'AgentFunction', 'OutboundSendFunction', 'StatusTrackingFunction']) {
      expect(sizing[id]?.memory).toBe(256);
    }
    // The agent waits on a model; it gets the longest timeout of all.
    const agentTimeout = sizing['AgentFunction']?.timeout as number;
    for (const id of FUNCTION_IDS.filter((other) => other !== 'AgentFunction')) {
      expect(agentTimeout).toBeGreaterThan(sizing[id]?.timeout as number);
    }
  });
});
