import { beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_HEALTH_TOPICS } from '#lambdas/accounts/apply-account-health';
import { METRIC } from '#lambdas/shared/metric-names';
import { actionsOf, FUNCTION_IDS, statementsGranting, statementsOfRole, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

const ACCOUNT_TOKENS_ARN = {
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:Omnichannel-dev/account-tokens/*'],
  ],
};

describe('tenancy in the stack', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev' });
  });

  it("lets the Graph callers read the per-business token secrets, by this stack's name prefix, and no other function", () => {
    const readers = ['OutboundSendFunction', 'CampaignSendFunction', 'MediaDownloadFunction'];
    for (const functionId of readers) {
      const granted = statementsGranting(statementsOfRole(synth.json, `${functionId}Role`), 'secretsmanager:GetSecretValue');
      const resources = granted.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
      expect(resources, functionId).toContainEqual(ACCOUNT_TOKENS_ARN);
      const perBusiness = granted.filter((s) => JSON.stringify(s.Resource).includes('account-tokens'));
      expect(perBusiness).toHaveLength(1);
      // Read only: no listing, no writing, nothing but the one action.
      expect(perBusiness[0]!.Action).toBe('secretsmanager:GetSecretValue');
    }
    // Functions that never call the Graph API with a business's token.
    const never = ['WebhookFunction', 'NormalizerFunction', 'AgentFunction', 'StatusTrackingFunction', 'HumanAgentApiFunction', 'AccountHealthFunction'];
    for (const functionId of FUNCTION_IDS.filter((id) => never.includes(id))) {
      expect(JSON.stringify(statementsOfRole(synth.json, `${functionId}Role`)), functionId).not.toContain('account-tokens');
    }
  });

  it("lets only the agent read the per-business tools secrets, by this stack's name prefix, read-only", () => {
    const toolsArn = JSON.stringify(ACCOUNT_TOKENS_ARN).replace('account-tokens', 'business-tools');
    for (const functionId of FUNCTION_IDS) {
      const granted = statementsGranting(statementsOfRole(synth.json, `${functionId}Role`), 'secretsmanager:GetSecretValue');
      const tools = granted.filter((s) => JSON.stringify(s.Resource).includes('business-tools'));
      if (functionId !== 'AgentFunction') {
        expect(JSON.stringify(statementsOfRole(synth.json, `${functionId}Role`)), functionId).not.toContain('business-tools');
        continue;
      }
      expect(tools).toHaveLength(1);
      expect(tools[0]!.Action).toBe('secretsmanager:GetSecretValue');
      expect(JSON.stringify(tools[0]!.Resource)).toBe(toolsArn);
    }
  });

  it('feeds the account-health consumer only account, quality and name notifications from the normalizer', () => {
    const rule = synth.json.Resources['AccountHealthRule'];
    expect(rule?.Type).toBe('AWS::Events::Rule');
    expect(rule?.Properties?.['EventPattern']).toEqual({
      source: ['io.omnichannel.normalizer'],
      'detail-type': ['notification.received'],
      detail: { topic: [...ACCOUNT_HEALTH_TOPICS] },
    });
    expect(ACCOUNT_HEALTH_TOPICS).toEqual(['whatsapp.account_update', 'whatsapp.phone_number_quality_update', 'whatsapp.phone_number_name_update']);
    const tableActions = actionsOf(statementsOfRole(synth.json, 'AccountHealthFunctionRole')).filter((a) => a.startsWith('dynamodb:'));
    expect(tableActions.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(synth.json.Resources['AccountHealthDeadLetterQueueAlarm']?.Type).toBe('AWS::CloudWatch::Alarm');
  });

  it('alarms on any event from an account that is not registered', () => {
    const alarm = synth.json.Resources['UnknownAccountEventsAlarm'];
    expect(alarm?.Properties).toMatchObject({
      MetricName: METRIC.eventsFromUnknownAccount,
      Namespace: 'OmnichannelSupport',
      Dimensions: [{ Name: 'service', Value: 'normalizer' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(String(alarm?.Properties?.['AlarmDescription'])).toContain('unknown_account');
  });
});
