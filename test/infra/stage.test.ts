import { RemovalPolicy } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#lib/app';
import { dataRemovalPolicy, InvalidStageError, parseStage, stackNameFor } from '#lib/stage';

describe('stage', () => {
  it('defaults to dev', () => {
    expect(parseStage(undefined)).toBe('dev');
    expect(parseStage('')).toBe('dev');
  });

  it('accepts lowercase letters and digits starting with a letter', () => {
    for (const stage of ['dev', 'test', 'prod', 'staging2', 'pr123']) expect(parseStage(stage)).toBe(stage);
  });

  it.each(['Prod', 'my-stage', 'my_stage', '1dev', 'dev stage', 'a'.repeat(17), 42, true])('rejects %s', (stage) => {
    expect(() => parseStage(stage)).toThrow(InvalidStageError);
  });

  it('keeps data only in long-lived stages', () => {
    expect(dataRemovalPolicy('dev')).toBe(RemovalPolicy.DESTROY);
    expect(dataRemovalPolicy('test')).toBe(RemovalPolicy.DESTROY);
    expect(dataRemovalPolicy('prod')).toBe(RemovalPolicy.RETAIN);
  });

  it('names the stack Omnichannel-<stage>', () => {
    expect(stackNameFor('prod')).toBe('Omnichannel-prod');
  });

  it('is read from the stage context when not given', () => {
    const built = buildApp({ bundle: false, nag: false, cloudFormationValidation: false });
    expect(built.stack.stage).toBe('dev');
    expect(built.stack.stackName).toBe('Omnichannel-dev');
  });

  it('refuses an invalid stage before building anything', () => {
    expect(() => buildApp({ stage: 'Bad-Stage', bundle: false, nag: false })).toThrow(InvalidStageError);
  });

  it('builds an environment-agnostic stack (no account or region lookups)', () => {
    const built = buildApp({ stage: 'staging', bundle: false, nag: false, cloudFormationValidation: false });
    expect(built.stack.stackName).toBe('Omnichannel-staging');
    expect(built.stack.environment).toBe('aws://unknown-account/unknown-region');
  });
});
