/** Environment variables of the integrations Lambdas, set by lib/constructs/integrations.ts. */
export const INTEGRATIONS_ENV = {
  /** `<stack>-i-`: every connection, API destination and rule of an integration starts with it. */
  namePrefix: 'INTEGRATIONS_NAME_PREFIX',
  /** `<stack>/integrations`: the per-integration secrets. */
  secretPrefix: 'INTEGRATIONS_SECRET_PREFIX',
  /** The role EventBridge assumes to call the API destinations. */
  invokeRoleArn: 'INTEGRATIONS_INVOKE_ROLE_ARN',
  /** The integrations dead-letter queue every delivery target names. */
  deadLetterQueueArn: 'INTEGRATIONS_DLQ_ARN',
  /** Where the dead-letter consumer parks a recorded dead letter (the integrations DLQ's own dead-letter queue). */
  parkedQueueUrl: 'INTEGRATIONS_PARKED_QUEUE_URL',
  /** `true` only in the local cloud: plain HTTP to loopback endpoints. */
  allowLoopback: 'INTEGRATIONS_ALLOW_LOOPBACK',
} as const;
