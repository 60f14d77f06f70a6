import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '#lambdas/shared/event-contract';
import { BOT_CONVERSATION_END_SCHEDULE } from '#lib/constructs/bot-conversation-end';
import { readSchedules } from '#lib/local-cloud/scheduled-invocations';
import type { CfnTemplate as LocalCfnTemplate } from '#lib/local-cloud/template/cfn-template';
import { actionsOf, environmentOf, resourceOfType, statementsOfRole, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

describe('the end-of-conversation sweep', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'prod' });
  });

  it('runs every quarter of an hour through EventBridge Scheduler, invoking the sweep function and nothing else', () => {
    const schedule = resourceOfType(synth.json, 'BotConversationEndSchedule', 'AWS::Scheduler::Schedule');
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: BOT_CONVERSATION_END_SCHEDULE,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': ['BotConversationEndFunction', 'Arn'] },
        RoleArn: { 'Fn::GetAtt': ['BotConversationEndSchedulerRole', 'Arn'] },
        Input: '{"scheduledTime":"<aws.scheduler.scheduled-time>"}',
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 600 },
      },
    });
    const role = resourceOfType(synth.json, 'BotConversationEndSchedulerRole', 'AWS::IAM::Role');
    expect(JSON.stringify(role.Properties?.['AssumeRolePolicyDocument'])).toContain('scheduler.amazonaws.com');
    expect(statementsOfRole(synth.json, 'BotConversationEndSchedulerRole')).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': ['BotConversationEndFunction', 'Arn'] } },
    ]);
  });

  it('reads and conditionally writes the table, publishes on the bus, and can neither scan, delete nor read a secret', () => {
    const actions = actionsOf(statementsOfRole(synth.json, 'BotConversationEndFunctionRole'));
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(actions).toContain('events:PutEvents');
    expect(actions.filter((a) => a.startsWith('secretsmanager:') || a.startsWith('sqs:') || a.startsWith('s3:'))).toEqual([]);
    expect(environmentOf(synth.json, 'BotConversationEndFunction')).toMatchObject({
      [ENV.tableName]: { Ref: 'Table' },
      [ENV.eventBusName]: { Ref: 'EventBus' },
      POWERTOOLS_SERVICE_NAME: 'bot-conversation-end',
    });
  });

  it('is one of the schedules the local cloud runs (the daily export calls an AWS API and stays in AWS)', () => {
    const local = readSchedules(synth.json as unknown as LocalCfnTemplate);
    expect(local).toContainEqual({
      logicalId: 'BotConversationEndSchedule',
      functionLogicalId: 'BotConversationEndFunction',
      everyMs: 900_000,
      input: '{"scheduledTime":"<aws.scheduler.scheduled-time>"}',
      enabled: true,
    });
    expect(local.map((s) => s.logicalId)).not.toContain('AnalyticsFullExportSchedule');
  });
});
