import { beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_QUEUE_ENV } from '#lambdas/campaigns/campaign-send-queue';
import { ENV } from '#lambdas/shared/event-contract';
import { CAMPAIGN_EVENTS_PATTERN, CAMPAIGN_SEND_MAX_RECEIVE_COUNT, CAMPAIGN_WATCHDOG_SCHEDULE } from '#lib/constructs/campaigns';
import { readSchedules } from '#lib/local-cloud/scheduled-invocations';
import type { CfnTemplate as LocalCfnTemplate } from '#lib/local-cloud/template/cfn-template';
import {
  actionsOf,
  environmentOf,
  resourceOfType,
  statementsGranting,
  statementsOfRole,
  synthesizeStack,
  type CfnTemplate,
  type SynthesizedStack,
} from '#test/infra/synthesize';

function mappingOf(json: CfnTemplate, functionId: string) {
  const mappings = Object.values(json.Resources).filter(
    (r) => r.Type === 'AWS::Lambda::EventSourceMapping' && JSON.stringify(r.Properties?.['FunctionName']) === JSON.stringify({ Ref: functionId }),
  );
  expect(mappings).toHaveLength(1);
  return mappings[0]!;
}

const resourcesOf = (json: CfnTemplate, roleId: string, action: string) =>
  statementsGranting(statementsOfRole(json, roleId), action).flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));

describe('campaign sending', () => {
  let synth: SynthesizedStack;
  let capped: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'prod' });
    capped = synthesizeStack({ stage: 'prod', stackProps: { campaignSendMaxConcurrency: 40, outboundMaxConcurrency: 25 } });
  });

  it('sends campaigns from their own standard queue, not the conversational outbound queue', () => {
    const queue = resourceOfType(synth.json, 'CampaignSendQueue', 'AWS::SQS::Queue');
    expect(queue.Properties?.['FifoQueue']).toBeUndefined();
    expect(queue.Properties?.['RedrivePolicy']).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['CampaignSendDeadLetterQueue', 'Arn'] },
      maxReceiveCount: CAMPAIGN_SEND_MAX_RECEIVE_COUNT,
    });
    expect(mappingOf(synth.json, 'CampaignSendFunction').Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['CampaignSendQueue', 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // Nothing on the bus feeds the campaign sender: only the release loop enqueues to it.
    const rulesTargetingIt = Object.values(synth.json.Resources).filter(
      (r) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties).includes('CampaignSendQueue'),
    );
    expect(rulesTargetingIt).toEqual([]);
    expect(resourcesOf(synth.json, 'CampaignSendFunctionRole', 'sqs:ReceiveMessage')).toEqual([{ 'Fn::GetAtt': ['CampaignSendQueue', 'Arn'] }]);
  });

  it("lets the campaign sender's concurrency grow with the numbers served: no ceiling unless one is asked for", () => {
    // Neither sender has a ceiling by default: the release loops and the pacer bound each number's
    // load by its pace (docs/capacity.md).
    expect(mappingOf(synth.json, 'OutboundSendFunction').Properties?.['ScalingConfig']).toBeUndefined();
    expect(mappingOf(synth.json, 'CampaignSendFunction').Properties?.['ScalingConfig']).toBeUndefined();
    expect(resourceOfType(synth.json, 'CampaignSendFunction', 'AWS::Lambda::Function').Properties?.['ReservedConcurrentExecutions']).toBeUndefined();
    expect(mappingOf(capped.json, 'CampaignSendFunction').Properties?.['ScalingConfig']).toEqual({ MaximumConcurrency: 40 });
    expect(mappingOf(capped.json, 'OutboundSendFunction').Properties?.['ScalingConfig']).toEqual({ MaximumConcurrency: 25 });
  });

  it("runs the campaign sender with the outbound sender's configuration and secrets", () => {
    expect(environmentOf(synth.json, 'CampaignSendFunction')).toMatchObject({
      [ENV.tableName]: { Ref: 'Table' },
      [ENV.eventBusName]: { Ref: 'EventBus' },
      [ENV.metaAccessTokensSecretId]: expect.anything(),
      [ENV.graphApiBaseUrl]: environmentOf(synth.json, 'OutboundSendFunction')[ENV.graphApiBaseUrl],
      [ENV.graphApiVersion]: environmentOf(synth.json, 'OutboundSendFunction')[ENV.graphApiVersion],
      POWERTOOLS_SERVICE_NAME: 'campaign-send',
    });
    const secrets = resourcesOf(synth.json, 'CampaignSendFunctionRole', 'secretsmanager:GetSecretValue').map((r) => JSON.stringify(r));
    expect(secrets).toContain(JSON.stringify({ Ref: 'MetaAccessTokens' }));
    expect(secrets.some((s) => s.includes('account-tokens'))).toBe(true);
    expect(secrets.some((s) => s.includes('MetaAppSecret') || s.includes('AnthropicApiKey') || s.includes('business-tools'))).toBe(false);
  });

  it("ticks the release loop from its own queue, fed from the bus with kicks and customers' replies and opt-outs, and lets it send only to that queue and the campaign sender", () => {
    const rule = resourceOfType(synth.json, 'CampaignTicksRule', 'AWS::Events::Rule');
    expect(rule.Properties?.['EventPattern']).toEqual(CAMPAIGN_EVENTS_PATTERN);
    expect(JSON.stringify(CAMPAIGN_EVENTS_PATTERN)).toContain('"previousState":["paused"]');
    expect(mappingOf(synth.json, 'CampaignTicksFunction').Properties).toMatchObject({ EventSourceArn: { 'Fn::GetAtt': ['CampaignTicksQueue', 'Arn'] } });
    expect(resourcesOf(synth.json, 'CampaignTicksFunctionRole', 'sqs:SendMessage')).toEqual([
      { 'Fn::GetAtt': ['CampaignTicksQueue', 'Arn'] },
      { 'Fn::GetAtt': ['CampaignSendQueue', 'Arn'] },
    ]);
    expect(environmentOf(synth.json, 'CampaignTicksFunction')).toMatchObject({
      [CAMPAIGN_QUEUE_ENV.sendQueueUrl]: { Ref: 'CampaignSendQueue' },
      [CAMPAIGN_QUEUE_ENV.ticksQueueUrl]: { Ref: 'CampaignTicksQueue' },
    });
    const actions = actionsOf(statementsOfRole(synth.json, 'CampaignTicksFunctionRole'));
    expect(actions).toContain('events:PutEvents');
    expect(actions.filter((a) => a.startsWith('secretsmanager:') || a.startsWith('s3:'))).toEqual([]);
    expect(actions).not.toContain('dynamodb:Scan');
  });

  it('runs the watchdog every minute through EventBridge Scheduler, on the release function and nothing else', () => {
    const schedule = resourceOfType(synth.json, 'CampaignWatchdogSchedule', 'AWS::Scheduler::Schedule');
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: CAMPAIGN_WATCHDOG_SCHEDULE,
      State: 'ENABLED',
      Target: { Arn: { 'Fn::GetAtt': ['CampaignTicksFunction', 'Arn'] }, RoleArn: { 'Fn::GetAtt': ['CampaignWatchdogSchedulerRole', 'Arn'] } },
    });
    expect(statementsOfRole(synth.json, 'CampaignWatchdogSchedulerRole')).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': ['CampaignTicksFunction', 'Arn'] } },
    ]);
    // The local cloud runs the same schedule.
    expect(readSchedules(synth.json as unknown as LocalCfnTemplate)).toContainEqual(
      expect.objectContaining({ logicalId: 'CampaignWatchdogSchedule', functionLogicalId: 'CampaignTicksFunction', everyMs: 60_000, enabled: true }),
    );
  });

  it('gives every campaign queue a dead-letter queue the redrive command and the stack outputs name', () => {
    const names = synth.stack.redrivableQueues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['CampaignTicks', 'CampaignSend']));
    for (const name of ['CampaignTicks', 'CampaignSend']) {
      expect(synth.json.Outputs?.[`${name}DeadLetterQueueUrl`]?.Description).toContain(`--redrive ${name.replace(/(?<=[a-z])(?=[A-Z])/g, '-').toLowerCase()}`);
      const dlq = resourceOfType(synth.json, `${name}DeadLetterQueue`, 'AWS::SQS::Queue');
      expect(dlq.Properties?.['RedriveAllowPolicy']).toMatchObject({ redrivePermission: 'byQueue' });
    }
  });
});
