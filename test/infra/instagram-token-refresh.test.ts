import { beforeAll, describe, expect, it } from 'vitest';
import { INSTAGRAM_TOKEN_METRIC } from '#lambdas/instagram-login/instagram-token-metrics';
import { ENV } from '#lambdas/shared/event-contract';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { INSTAGRAM_TOKEN_REFRESH_SCHEDULE } from '#lib/constructs/instagram-token-refresh';
import { readSchedules } from '#lib/local-cloud/scheduled-invocations';
import type { CfnTemplate as LocalCfnTemplate } from '#lib/local-cloud/template/cfn-template';
import { actionsOf, environmentOf, resourceOfType, statementsGranting, statementsOfRole, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

const ACCOUNT_TOKENS_ARN = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':secretsmanager:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':secret:Omnichannel-prod/account-tokens/*',
    ],
  ],
};

describe('the Instagram token refresh', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'prod' });
  });

  it('runs daily through EventBridge Scheduler, invoking the refresh function and nothing else', () => {
    const schedule = resourceOfType(synth.json, 'InstagramTokenRefreshSchedule', 'AWS::Scheduler::Schedule');
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: INSTAGRAM_TOKEN_REFRESH_SCHEDULE,
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': ['InstagramTokenRefreshFunction', 'Arn'] },
        RoleArn: { 'Fn::GetAtt': ['InstagramTokenRefreshSchedulerRole', 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2 },
      },
    });
    expect(INSTAGRAM_TOKEN_REFRESH_SCHEDULE).toBe('rate(1 day)');
    expect(statementsOfRole(synth.json, 'InstagramTokenRefreshSchedulerRole')).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': ['InstagramTokenRefreshFunction', 'Arn'] } },
    ]);
    // The local cloud runs it on the same rate.
    expect(readSchedules(synth.json as unknown as LocalCfnTemplate).find((s) => s.logicalId === 'InstagramTokenRefreshSchedule')).toMatchObject({
      functionLogicalId: 'InstagramTokenRefreshFunction',
      everyMs: 86_400_000,
    });
  });

  it("may read and put new versions of this stack's per-business token secrets only, and read and update the registry", () => {
    const statements = statementsOfRole(synth.json, 'InstagramTokenRefreshFunctionRole');
    const actions = actionsOf(statements);
    expect(actions.filter((a) => a.startsWith('secretsmanager:')).sort()).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']);
    for (const action of ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']) {
      const resources = statementsGranting(statements, action).flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
      expect(resources).toEqual([ACCOUNT_TOKENS_ARN]);
    }
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(actions.filter((a) => /^(sqs|s3|events|kms|lambda):/.test(a))).toEqual([]);
    expect(environmentOf(synth.json, 'InstagramTokenRefreshFunction')).toMatchObject({
      [ENV.tableName]: { Ref: 'Table' },
      [ENV.graphApiVersion]: GRAPH_API_VERSION,
    });
    // One run at a time: two would renew the same tokens twice.
    expect(resourceOfType(synth.json, 'InstagramTokenRefreshFunction', 'AWS::Lambda::Function').Properties?.['ReservedConcurrentExecutions']).toBe(1);
  });

  it('alarms on the alarm topic when an account needs a new login', () => {
    const alarm = resourceOfType(synth.json, 'InstagramTokenNeedsReauthorisationAlarm', 'AWS::CloudWatch::Alarm');
    expect(alarm.Properties).toMatchObject({
      MetricName: INSTAGRAM_TOKEN_METRIC.needsReauthorisation,
      Namespace: 'OmnichannelSupport',
      Dimensions: [{ Name: 'service', Value: 'instagram-token-refresh' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(JSON.stringify(alarm.Properties?.['AlarmActions'])).toContain('AlarmTopic');
    expect(String(alarm.Properties?.['AlarmDescription'])).toContain('/onboarding/instagram-login');
  });
});
