import { RemovalPolicy } from 'aws-cdk-lib';

/** A deployment stage such as `dev`, `test`, `staging` or `prod`. */
export type Stage = string;

export const DEFAULT_STAGE: Stage = 'dev';

// Lowercase letters and digits only: the stage becomes part of stack, queue and secret names,
// and SQS FIFO names leave little room (80 characters including `.fifo`).
const STAGE_PATTERN = /^[a-z][a-z0-9]{0,15}$/;

/** Stages whose data may be thrown away with the stack. */
const EPHEMERAL_STAGES: ReadonlySet<Stage> = new Set(['dev', 'test']);

export class InvalidStageError extends Error {
  constructor(readonly stage: unknown) {
    super(`Invalid stage ${JSON.stringify(stage)}: use 1-16 lowercase letters or digits, starting with a letter (e.g. -c stage=dev)`);
    this.name = 'InvalidStageError';
  }
}

/** Validates a stage taken from CDK context or options; undefined means the default stage. */
export function parseStage(value: unknown): Stage {
  if (value === undefined || value === null || value === '') return DEFAULT_STAGE;
  if (typeof value !== 'string' || !STAGE_PATTERN.test(value)) throw new InvalidStageError(value);
  return value;
}

export function isEphemeralStage(stage: Stage): boolean {
  return EPHEMERAL_STAGES.has(stage);
}

/** Data (table, secrets, claim-check bodies) is kept when a long-lived stage's stack is deleted. */
export function dataRemovalPolicy(stage: Stage): RemovalPolicy {
  return isEphemeralStage(stage) ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

export function stackNameFor(stage: Stage): string {
  return `Omnichannel-${stage}`;
}

/**
 * Whether the API gets CloudFront with an AWS WAF web ACL in front of it when the stack props
 * do not say: yes for long-lived stages, no for the throwaway dev and test stacks (the web ACL
 * costs a monthly fee and the distribution takes minutes to deploy). See docs/api-protection.md.
 */
export function edgeProtectionByDefault(stage: Stage): boolean {
  return !isEphemeralStage(stage);
}
