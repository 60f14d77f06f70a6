import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerChannelAccountIfAbsent } from '#lambdas/accounts/channel-account';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';
import { CHANNEL_METRIC, METRIC, METRIC_SERVICE } from '#lambdas/shared/metric-names';
import { pipelineMetric } from '#lib/constructs/operations-dashboard';
import { LOCAL_CREDENTIALS } from '#lib/local-cloud/dynamodb-local';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

/** One EMF log line as Powertools writes it. */
interface EmfLine {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

const eventBridge = mockClient(EventBridgeClient);
let table: TestTable;
let handler: (event: SQSEvent, context: Context) => Promise<unknown>;
let written: string[] = [];

beforeAll(async () => {
  table = await startTestTable();
  // The number is registered (its WABA with it); events of unregistered accounts are quarantined.
  await registerChannelAccountIfAbsent(table.db, table.tableName, {
    accountId: '100000000000001',
    channel: 'whatsapp',
    businessId: 'metrics',
    wabaId: '102290129340398',
    status: 'active',
  });
  // The normalizer exactly as deployed: its service name and namespace come from the environment.
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    EVENT_BUS_NAME: 'bus',
    CLAIM_CHECK_BUCKET: 'claims',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: table.local.endpoint,
    POWERTOOLS_SERVICE_NAME: METRIC_SERVICE.normalizer,
    POWERTOOLS_METRICS_NAMESPACE: 'OmnichannelSupport',
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  ({ handler } = (await import('#lambdas/handlers/normalizer')) as never);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
}, 60_000);
afterEach(() => {
  written = [];
});
afterAll(async () => {
  vi.restoreAllMocks();
  await table?.stop();
});

function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i}`,
      receiptHandle: `rh${i}`,
      body,
      attributes: { ApproximateReceiveCount: '1', MessageGroupId: `g${i}` } as SQSEvent['Records'][number]['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:ingress.fifo',
      awsRegion: 'us-east-1',
    })),
  };
}

const whatsapp = (field: string, value: object) =>
  JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', time: 1763730000, changes: [{ field, value }] }] });

/** Ingress records as the webhook enqueues them. */
function records(...bodies: string[]): string[] {
  return bodies.flatMap((b) => splitWebhookBody(b, { receivedAt: new Date().toISOString() })).map((e) => JSON.stringify(e));
}

/** Metric name → summed value, from the EMF lines written for the `service` dimension only. */
function emitted(): { values: Map<string, number>; lines: EmfLine[] } {
  const lines = written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as EmfLine);
  const values = new Map<string, number>();
  for (const line of lines) {
    for (const { Metrics } of line._aws.CloudWatchMetrics) {
      for (const { Name } of Metrics) {
        const v = line[Name];
        const sum = Array.isArray(v) ? v.reduce((a: number, b: number) => a + b, 0) : Number(v);
        values.set(Name, (values.get(Name) ?? 0) + sum);
      }
    }
  }
  return { values, lines };
}

describe('the normalizer emits what the dashboard and alarms read', () => {
  const message = whatsapp('messages', {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '15550001111', phone_number_id: '100000000000001' },
    contacts: [{ profile: { name: 'Ana' }, wa_id: '5511999887766' }],
    messages: [{ from: '5511999887766', id: 'wamid.METRICS1', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'hola' } }],
  });
  const downgrade = whatsapp('phone_number_quality_update', { display_phone_number: '15550001111', event: 'DOWNGRADE', current_limit: 'TIER_1K' });
  const restriction = whatsapp('account_update', {
    event: 'ACCOUNT_RESTRICTION',
    restriction_info: [{ restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING' }],
  });

  it('counts a customer message per channel and account health news, in the namespace and dimension the dashboard uses', async () => {
    const context = { functionName: 'normalizer', awsRequestId: 'r1' } as Context;
    await handler(sqsEvent(records(message, downgrade, restriction)), context);

    const { values, lines } = emitted();
    expect(values.get(CHANNEL_METRIC.inbound('whatsapp'))).toBe(1);
    expect(values.get(METRIC.accountQualityDowngraded)).toBe(1);
    expect(values.get(METRIC.accountRestricted)).toBe(1);
    expect(values.has(METRIC.accountDisabled)).toBe(false);

    // Exactly the metric identity the CDK side charts and alarms on.
    for (const name of [CHANNEL_METRIC.inbound('whatsapp'), METRIC.accountQualityDowngraded, METRIC.accountRestricted]) {
      const charted = pipelineMetric(METRIC_SERVICE.normalizer, name);
      const line = lines.find((l) => l._aws.CloudWatchMetrics.some((m) => m.Metrics.some((x) => x.Name === name))) as EmfLine;
      const directive = line._aws.CloudWatchMetrics[0]!;
      expect(directive.Namespace).toBe(charted.namespace);
      expect(directive.Dimensions).toEqual([Object.keys(charted.dimensions ?? {})]);
      expect(line['service']).toBe(charted.dimensions?.['service']);
    }
  });

  it('does not count a redelivered event twice', async () => {
    await handler(sqsEvent(records(message, downgrade)), { functionName: 'normalizer', awsRequestId: 'r2' } as Context);
    const { values } = emitted();
    expect(values.has(CHANNEL_METRIC.inbound('whatsapp'))).toBe(false);
    expect(values.has(METRIC.accountQualityDowngraded)).toBe(false);
    expect(values.get('Normalized_message_duplicate')).toBe(1);
  });

  it('counts an event of an unregistered number once, as a quarantine the unknown-account alarm reads', async () => {
    const stranger = message.replaceAll('100000000000001', '100000000000999').replace('wamid.METRICS1', 'wamid.METRICS2');
    await handler(sqsEvent(records(stranger)), { functionName: 'normalizer', awsRequestId: 'r3' } as Context);
    let { values } = emitted();
    expect(values.get(METRIC.eventsFromUnknownAccount)).toBe(1);
    expect(values.get(METRIC.eventsQuarantined)).toBe(1);
    expect(values.has(CHANNEL_METRIC.inbound('whatsapp'))).toBe(false);
    written = [];
    await handler(sqsEvent(records(stranger)), { functionName: 'normalizer', awsRequestId: 'r4' } as Context);
    ({ values } = emitted());
    expect(values.has(METRIC.eventsFromUnknownAccount)).toBe(false);
  });
});
