import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import type { IntegrationDelivery } from '#lambdas/integrations/integration-store';
import { handleIntegrationDeadLetter, type DeadLetterDeps } from '#lambdas/integrations/record-dead-letter';

const sqs = mockClient(SQSClient);
let deadLettered: Array<Record<string, unknown>>;
let redriven: Array<[Pick<IntegrationDelivery, 'businessId' | 'integrationId' | 'at' | 'deliveryId'>, string]>;
let published: DomainEvent[];
let deps: DeadLetterDeps;

const detail = {
  v: 1,
  businessId: 'acme',
  integrationId: 'i0a1b2c3d4e5',
  deliveryId: 'c'.repeat(32),
  eventType: 'conversation.closed',
  idempotencyKey: 'webhook:event:0123456789abcdef0123456789abcdef01234567',
  occurredAt: '2026-12-07T11:00:00.000Z',
  request: {
    destination: 'event',
    method: 'POST',
    path: '',
    pathParams: [],
    headers: { 'idempotency-key': 'k' },
    body: { type: 'conversation.closed', contact: { name: 'Lucía' } },
  },
};
/** The event as EventBridge puts it in the dead-letter queue, with its attributes. */
const deadLetter = {
  body: JSON.stringify({
    version: '0',
    id: 'eb-1',
    'detail-type': 'integration.delivery_requested',
    source: 'io.omnichannel.integrations',
    account: '111122223333',
    time: '2026-12-07T11:00:01Z',
    region: 'us-east-1',
    resources: [],
    detail,
  }),
  messageAttributes: {
    ERROR_CODE: { stringValue: 'SDK_CLIENT_ERROR', dataType: 'String' },
    ERROR_MESSAGE: { stringValue: `Target responded with status 410 ${'x'.repeat(600)}`, dataType: 'String' },
    EXHAUSTED_RETRY_CONDITION: { stringValue: 'MaximumRetryAttempts', dataType: 'String' },
    RETRY_ATTEMPTS: { stringValue: '0', dataType: 'String' },
    RULE_ARN: {
      stringValue: 'arn:aws:events:us-east-1:111122223333:rule/Omnichannel-prod-events/Omnichannel-prod-i-acme-i0a1b2c3d4e5-event',
      dataType: 'String',
    },
    TARGET_ARN: { stringValue: 'arn:aws:events:us-east-1:111122223333:api-destination/Omnichannel-prod-i-acme-i0a1b2c3d4e5-event/uuid', dataType: 'String' },
  },
};

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  deadLettered = [];
  redriven = [];
  published = [];
  deps = {
    store: {
      recordDeadLettered: async (d) => void deadLettered.push(d as unknown as Record<string, unknown>),
      recordRedriven: async (d, at) => void redriven.push([d, at]),
    },
    publisher: { publish: async (events) => void published.push(...events) },
    sqs: new SQSClient({}),
    parkedQueueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/Omnichannel-prod-integration-dead-letters-dlq',
    now: () => new Date('2026-12-08T11:00:00.000Z'),
  };
});

describe('a delivery EventBridge gave up on', () => {
  it('is recorded with EventBridge’s reasons, then parked with them for a person', async () => {
    expect(await handleIntegrationDeadLetter(deadLetter, deps)).toEqual({
      outcome: 'recorded',
      businessId: 'acme',
      integrationId: 'i0a1b2c3d4e5',
      errorCode: 'SDK_CLIENT_ERROR',
    });
    const error = {
      code: 'SDK_CLIENT_ERROR',
      message: `Target responded with status 410 ${'x'.repeat(600)}`.slice(0, 300),
      ruleArn: deadLetter.messageAttributes.RULE_ARN.stringValue,
      targetArn: deadLetter.messageAttributes.TARGET_ARN.stringValue,
      retryAttempts: 0,
      exhaustedRetryCondition: 'MaximumRetryAttempts',
    };
    expect(deadLettered).toEqual([
      {
        businessId: 'acme',
        integrationId: 'i0a1b2c3d4e5',
        deliveryId: 'c'.repeat(32),
        eventType: 'conversation.closed',
        at: '2026-12-07T11:00:00.000Z',
        destination: 'event',
        method: 'POST',
        path: '',
        idempotencyKey: detail.idempotencyKey,
        deadLetteredAt: '2026-12-08T11:00:00.000Z',
        error,
      },
    ]);
    const [parked] = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(parked!.QueueUrl).toBe(deps.parkedQueueUrl);
    expect(JSON.parse(parked!.MessageBody!)).toEqual({ parkedDeadLetter: 1, event: JSON.parse(deadLetter.body), error, parkedAt: '2026-12-08T11:00:00.000Z' });
    expect(published).toEqual([]);
  });

  it('redriven back from the parked queue, is published again as it was, and its delivery says so', async () => {
    await handleIntegrationDeadLetter(deadLetter, deps);
    const parkedBody = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!;
    sqs.resetHistory();
    // `npm run redrive` moves it back; SQS message attributes are not counted on to survive the move.
    expect(await handleIntegrationDeadLetter({ body: parkedBody }, deps)).toEqual({ outcome: 'redriven', businessId: 'acme', integrationId: 'i0a1b2c3d4e5' });
    expect(published).toEqual([{ source: 'io.omnichannel.integrations', detailType: 'integration.delivery_requested', detail }]);
    expect(redriven).toEqual([
      [{ businessId: 'acme', integrationId: 'i0a1b2c3d4e5', at: '2026-12-07T11:00:00.000Z', deliveryId: 'c'.repeat(32) }, '2026-12-08T11:00:00.000Z'],
    ]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('counts as invalid what is not one of our delivery events, and records nothing', async () => {
    for (const body of [
      'not json',
      JSON.stringify({ source: 'io.omnichannel.agent', 'detail-type': 'reply.requested', detail: {} }),
      JSON.stringify({ ...JSON.parse(deadLetter.body), detail: { ...detail, integrationId: '../x' } }),
      JSON.stringify({ parkedDeadLetter: 1, event: { nope: true } }),
    ]) {
      expect((await handleIntegrationDeadLetter({ body }, deps)).outcome).toBe('invalid');
    }
    expect(deadLettered).toEqual([]);
    expect(published).toEqual([]);
  });

  it('fails (and is retried) when the table or the parked queue cannot be written', async () => {
    deps.store.recordDeadLettered = async () => {
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    };
    await expect(handleIntegrationDeadLetter(deadLetter, deps)).rejects.toThrow('throttled');
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });
});
