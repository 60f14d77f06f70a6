import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPE, ENV, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { ROUTING_QUEUE_URL_ENV } from '#lambdas/routing/wiring/sqs-timer-scheduler';
import { environmentOf, resourceOfType, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';

interface Consumer {
  readonly name: 'Agent' | 'OutboundSend' | 'StatusTracking' | 'ReplyWatch';
  readonly sources: string[];
  readonly detailTypes: string[];
}

const CONSUMERS: readonly Consumer[] = [
  { name: 'Agent', sources: [EVENT_SOURCE.normalizer], detailTypes: [DETAIL_TYPE.messageReceived, DETAIL_TYPE.messageEchoed] },
  {
    name: 'OutboundSend',
    sources: [EVENT_SOURCE.agent, EVENT_SOURCE.humanAgent, EVENT_SOURCE.templates, EVENT_SOURCE.replyWatch, EVENT_SOURCE.routing],
    detailTypes: [DETAIL_TYPE.replyRequested],
  },
  {
    name: 'ReplyWatch',
    sources: [EVENT_SOURCE.agent, EVENT_SOURCE.humanAgent, EVENT_SOURCE.templates, EVENT_SOURCE.replyWatch, EVENT_SOURCE.routing],
    detailTypes: [DETAIL_TYPE.replyRequested],
  },
  { name: 'StatusTracking', sources: [EVENT_SOURCE.normalizer], detailTypes: [DETAIL_TYPE.statusReceived] },
];

describe('event bus and consumers', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev' });
  });

  it('has one custom bus with an archive of everything published on it', () => {
    synth.template.resourceCountIs('AWS::Events::EventBus', 1);
    expect(resourceOfType(synth.json, 'EventBus', 'AWS::Events::EventBus').Properties).toMatchObject({
      Name: 'Omnichannel-dev-events',
    });
    const archive = resourceOfType(synth.json, 'EventArchive', 'AWS::Events::Archive');
    expect(archive.Properties).toMatchObject({
      SourceArn: { 'Fn::GetAtt': ['EventBus', 'Arn'] },
      RetentionDays: 30,
      EventPattern: { account: [{ Ref: 'AWS::AccountId' }] },
    });
  });

  it('has exactly one rule per consumer, all on the custom bus', () => {
    const rules = synth.template.findResources('AWS::Events::Rule');
    expect(Object.keys(rules).sort()).toEqual([
      'AccountHealthRule',
      'AgentPushRule',
      'AgentRule',
      'CampaignTicksRule',
      'ContactsRule',
      'IntegrationDispatchRule',
      'MediaDownloadRule',
      'OutboundSendRule',
      'ReplyWatchRule',
      'RoutingRule',
      'SpendOutcomesRule',
      'StatusTrackingRule',
      'TemplateEventsRule',
    ]);
    for (const rule of Object.values(rules)) {
      expect(rule['Properties']['EventBusName']).toEqual({ Ref: 'EventBus' });
    }
  });

  describe.each(CONSUMERS)('$name', ({ name, sources, detailTypes }) => {
    it('matches its events by source and detail-type from the shared contract', () => {
      const rule = resourceOfType(synth.json, `${name}Rule`, 'AWS::Events::Rule');
      expect(rule.Properties?.['EventPattern']).toEqual({ source: sources, 'detail-type': detailTypes });
    });

    it('delivers to its queue with a retry policy and a dead-letter queue', () => {
      const rule = resourceOfType(synth.json, `${name}Rule`, 'AWS::Events::Rule');
      const targets = rule.Properties?.['Targets'] as Array<Record<string, unknown>>;
      expect(targets).toHaveLength(1);
      expect(targets[0]).toMatchObject({
        Arn: { 'Fn::GetAtt': [`${name}Queue`, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [`${name}DeadLetterQueue`, 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: expect.any(Number), MaximumRetryAttempts: expect.any(Number) },
      });
    });

    it('lets only its rule send to its queue and its dead-letter queue', () => {
      for (const queueId of [`${name}Queue`, `${name}DeadLetterQueue`]) {
        const policies = synth.template.findResources('AWS::SQS::QueuePolicy', {
          Properties: { Queues: [{ Ref: queueId }] },
        });
        const statements = Object.values(policies).flatMap((policy) => policy['Properties']['PolicyDocument']['Statement'] as Array<Record<string, unknown>>);
        const allows = statements.filter((statement) => statement['Effect'] === 'Allow');
        expect(allows.length).toBeGreaterThan(0);
        for (const allow of allows) {
          expect(allow['Principal']).toEqual({ Service: 'events.amazonaws.com' });
          expect(allow['Condition']).toEqual({ ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [`${name}Rule`, 'Arn'] } } });
        }
      }
    });

    it('buffers in an encrypted standard queue with a five-receive dead-letter queue', () => {
      const queue = resourceOfType(synth.json, `${name}Queue`, 'AWS::SQS::Queue');
      expect(queue.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [`${name}DeadLetterQueue`, 'Arn'] }, maxReceiveCount: 8 },
      });
      expect(queue.Properties).not.toHaveProperty('FifoQueue');
      const fn = resourceOfType(synth.json, `${name}Function`, 'AWS::Lambda::Function');
      expect(queue.Properties?.['VisibilityTimeout']).toBeGreaterThanOrEqual(6 * (fn.Properties?.['Timeout'] as number));
      const dlq = resourceOfType(synth.json, `${name}DeadLetterQueue`, 'AWS::SQS::Queue');
      expect(dlq.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    });

    it('feeds its function with partial batch failures', () => {
      const mapping = resourceOfType(synth.json, `${name}FunctionEventSourceMapping`, 'AWS::Lambda::EventSourceMapping');
      expect(mapping.Properties).toMatchObject({
        EventSourceArn: { 'Fn::GetAtt': [`${name}Queue`, 'Arn'] },
        FunctionName: { Ref: `${name}Function` },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      const batchSize = mapping.Properties?.['BatchSize'] as number;
      expect(batchSize).toBeGreaterThanOrEqual(1);
      // Above ten records Lambda needs a batching window (only the reply watch waits for one).
      if (batchSize > 10) expect(mapping.Properties?.['MaximumBatchingWindowInSeconds']).toBeGreaterThanOrEqual(1);
      else expect(batchSize).toBeLessThanOrEqual(10);
    });

    it('is told the table and the bus', () => {
      const env = environmentOf(synth.json, `${name}Function`);
      expect(env[ENV.tableName]).toEqual({ Ref: 'Table' });
      expect(env[ENV.eventBusName]).toEqual({ Ref: 'EventBus' });
    });
  });

  it("lets the conversational senders grow with the numbers served, each number a fair queue's tenant", () => {
    const mapping = resourceOfType(synth.json, 'OutboundSendFunctionEventSourceMapping', 'AWS::Lambda::EventSourceMapping');
    expect(mapping.Properties?.['ScalingConfig']).toBeUndefined();
    const rule = resourceOfType(synth.json, 'OutboundSendRule', 'AWS::Events::Rule');
    const targets = rule.Properties?.['Targets'] as Array<{ SqsParameters?: { MessageGroupId: string } }>;
    expect(targets.map((t) => t.SqsParameters)).toEqual([{ MessageGroupId: '$.detail.accountId' }]);
  });

  it('gives the agent its Anthropic secret and the outbound sender its Graph settings', () => {
    expect(environmentOf(synth.json, 'AgentFunction')[ENV.anthropicSecretId]).toBe('Omnichannel-dev/anthropic-api-key');
    expect(environmentOf(synth.json, 'OutboundSendFunction')).toMatchObject({
      [ENV.metaAccessTokensSecretId]: 'Omnichannel-dev/meta-access-tokens',
      [ENV.graphApiBaseUrl]: 'https://graph.facebook.com',
      [ENV.graphApiVersion]: GRAPH_API_VERSION,
    });
  });

  it.each(['Agent', 'OutboundSend', 'StatusTracking'])('tells the %s consumer its own queue, to bring failed records back after their backoff', (name) => {
    expect(environmentOf(synth.json, `${name}Function`)[ENV.queueUrl]).toEqual({ Ref: `${name}Queue` });
  });

  it('lets the Graph API endpoint be pointed elsewhere (the local simulator)', () => {
    const custom = synthesizeStack({
      stage: 'test',
      nag: false,
      stackProps: { graphApiBaseUrl: 'http://127.0.0.1:4010', graphApiVersion: 'v24.0' },
    });
    expect(environmentOf(custom.json, 'OutboundSendFunction')).toMatchObject({
      [ENV.graphApiBaseUrl]: 'http://127.0.0.1:4010',
      [ENV.graphApiVersion]: 'v24.0',
    });
  });

  it('has the normalizer publish to the bus and read the table', () => {
    const env = environmentOf(synth.json, 'NormalizerFunction');
    expect(env).toMatchObject({
      [ENV.tableName]: { Ref: 'Table' },
      [ENV.eventBusName]: { Ref: 'EventBus' },
      [ENV.claimCheckBucket]: { Ref: 'ClaimCheckBucket' },
    });
    synth.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: 'NormalizerFunctionRole' }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': ['EventBus', 'Arn'] } })]),
      },
    });
  });

  it('publishes only failures of business messages unless delivered and read announcements are asked for', () => {
    for (const fn of ['NormalizerFunction', 'StatusTrackingFunction']) {
      expect(environmentOf(synth.json, fn)[ENV.statusEvents]).toBe('failed');
    }
    const all = synthesizeStack({ stage: 'dev', stackProps: { statusEvents: 'all' } });
    for (const fn of ['NormalizerFunction', 'StatusTrackingFunction']) {
      expect(environmentOf(all.json, fn)[ENV.statusEvents]).toBe('all');
    }
    expect(() => synthesizeStack({ stage: 'dev', stackProps: { statusEvents: 'some' as 'all' } })).toThrow(/statusEvents must be/);
  });

  it('holds every reply request a quarter of an hour in the reply-watch queue, whose function only reads and updates items and publishes', () => {
    expect(resourceOfType(synth.json, 'ReplyWatchQueue', 'AWS::SQS::Queue').Properties).toMatchObject({ DelaySeconds: 900 });
    const statements = synth.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: 'ReplyWatchFunctionRole' }] } });
    const actions = Object.values(statements).flatMap((p) =>
      (p['Properties']['PolicyDocument']['Statement'] as Array<{ Action: string | string[] }>).flatMap((st) => [st.Action].flat()),
    );
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(actions).toContain('events:PutEvents');
  });

  describe('Routing', () => {
    it("wakes only on exact source and detail-type pairs: handoffs, releases, people's replies, presence and configuration changes", () => {
      const rule = resourceOfType(synth.json, 'RoutingRule', 'AWS::Events::Rule');
      const pattern = rule.Properties?.['EventPattern'] as { $or: Array<{ source: string[]; 'detail-type': string[] }> };
      expect(pattern.$or).toEqual(
        expect.arrayContaining([
          { source: [EVENT_SOURCE.agent, EVENT_SOURCE.humanAgent], 'detail-type': [DETAIL_TYPE.conversationHandoffRequested] },
          { source: [EVENT_SOURCE.humanAgent], 'detail-type': [DETAIL_TYPE.conversationClosed, DETAIL_TYPE.conversationHandedBack] },
          { source: [EVENT_SOURCE.humanAgent, EVENT_SOURCE.templates], 'detail-type': [DETAIL_TYPE.replyRequested] },
        ]),
      );
      // The bot's replies never wake routing.
      const replies = pattern.$or.filter((p) => p['detail-type'].includes(DETAIL_TYPE.replyRequested));
      expect(replies.flatMap((p) => p.source)).not.toContain(EVENT_SOURCE.agent);
      const targets = rule.Properties?.['Targets'] as Array<Record<string, unknown>>;
      expect(targets[0]).toMatchObject({
        Arn: { 'Fn::GetAtt': ['RoutingQueue', 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['RoutingDeadLetterQueue', 'Arn'] } },
      });
    });

    it('feeds its function with partial batch failures from a queue with a dead-letter queue, and tells it its queue', () => {
      expect(resourceOfType(synth.json, 'RoutingQueue', 'AWS::SQS::Queue').Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['RoutingDeadLetterQueue', 'Arn'] } },
      });
      expect(resourceOfType(synth.json, 'RoutingFunctionEventSourceMapping', 'AWS::Lambda::EventSourceMapping').Properties).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      expect(environmentOf(synth.json, 'RoutingFunction')).toMatchObject({
        [ENV.queueUrl]: { Ref: 'RoutingQueue' },
        [ENV.tableName]: { Ref: 'Table' },
        [ENV.eventBusName]: { Ref: 'EventBus' },
      });
    });

    it('lets the routing function and the human-agent API send timers to the routing queue and to no other queue', () => {
      for (const role of ['RoutingFunctionRole', 'HumanAgentApiFunctionRole']) {
        const statements = Object.values(synth.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } })).flatMap(
          (p) => p['Properties']['PolicyDocument']['Statement'] as Array<{ Action: string | string[]; Resource: unknown }>,
        );
        const sends = statements.filter((st) => [st.Action].flat().includes('sqs:SendMessage'));
        expect(sends, role).toEqual([expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['RoutingQueue', 'Arn'] } })]);
      }
      expect(environmentOf(synth.json, 'HumanAgentApiFunction')[ROUTING_QUEUE_URL_ENV]).toEqual({ Ref: 'RoutingQueue' });
    });
  });
});
