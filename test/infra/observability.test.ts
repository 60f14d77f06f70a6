import { beforeAll, describe, expect, it } from 'vitest';
import { resourceOfType, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

describe('alarms', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev' });
  });

  const deadLetterQueueIds = (): string[] =>
    Object.values(synth.template.findResources('AWS::SQS::Queue'))
      .map((queue) => queue['Properties']['RedrivePolicy']?.['deadLetterTargetArn']?.['Fn::GetAtt']?.[0] as string | undefined)
      .filter((id): id is string => id !== undefined)
      .sort();

  it('watch every dead-letter queue for any visible message', () => {
    const dlqs = deadLetterQueueIds();
    expect(dlqs).toEqual([
      'AccountHealthDeadLetterQueue',
      'AgentDeadLetterQueue',
      'AgentPushDeadLetterQueue',
      'CampaignSendDeadLetterQueue',
      'CampaignTicksDeadLetterQueue',
      'ContactsDeadLetterQueue',
      'IngressDeadLetterQueue',
      'IntegrationDeadLettersDeadLetterQueue',
      'IntegrationDispatchDeadLetterQueue',
      'MediaDownloadDeadLetterQueue',
      'OutboundSendDeadLetterQueue',
      'ReplyWatchDeadLetterQueue',
      'RoutingDeadLetterQueue',
      'SpendOutcomesDeadLetterQueue',
      'StatusTrackingDeadLetterQueue',
      'TemplateEventsDeadLetterQueue',
    ]);
    const alarms = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm'));
    for (const dlq of dlqs) {
      const watching = alarms.filter(
        (alarm) =>
          alarm['Properties']['MetricName'] === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(alarm['Properties']['Dimensions']) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }]),
      );
      expect(watching, dlq).toHaveLength(1);
      expect(watching[0]?.['Properties']).toMatchObject({
        Namespace: 'AWS/SQS',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      });
    }
  });

  it('watch the age of the oldest ingress message', () => {
    const alarm = resourceOfType(synth.json, 'IngressQueueAgeAlarm', 'AWS::CloudWatch::Alarm');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['IngressQueue', 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
    expect(alarm.Properties?.['Threshold']).toBeGreaterThan(0);
  });

  it('are all exposed on the stack: one per dead-letter queue, the ingress age, and the rest', () => {
    expect(synth.stack.alarms.length).toBeGreaterThan(deadLetterQueueIds().length + 1);
    synth.template.resourceCountIs('AWS::CloudWatch::Alarm', synth.stack.alarms.length);
  });

  it('notify an encrypted topic whose key CloudWatch may use', () => {
    const topic = resourceOfType(synth.json, 'AlarmTopic', 'AWS::SNS::Topic');
    expect(topic.Properties?.['KmsMasterKeyId']).toEqual({ 'Fn::GetAtt': ['AlarmTopicKey', 'Arn'] });
    const key = resourceOfType(synth.json, 'AlarmTopicKey', 'AWS::KMS::Key');
    expect(key.Properties?.['EnableKeyRotation']).toBe(true);
    const statements = (key.Properties!['KeyPolicy'] as { Statement: Array<Record<string, unknown>> }).Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      ]),
    );
  });

  it('publish every queue and dead-letter queue URL for redrive commands', () => {
    const outputs = synth.json.Outputs ?? {};
    for (const name of ['Ingress', 'Agent', 'OutboundSend', 'StatusTracking', 'MediaDownload']) {
      expect(outputs[`${name}QueueUrl`]?.Value).toEqual({ Ref: `${name}Queue` });
      expect(outputs[`${name}DeadLetterQueueUrl`]?.Value).toEqual({ Ref: `${name}DeadLetterQueue` });
      // The command names the queue the way `npm run redrive` finds it: by its queue name's suffix.
      const queueName = String(synth.json.Resources?.[`${name}Queue`]?.Properties?.['QueueName']);
      const argument = queueName.replace(/^Omnichannel-dev-/, '').replace(/\.fifo$/, '');
      expect(outputs[`${name}DeadLetterQueueUrl`]?.Description).toContain(`npm run redrive -- --stage dev --inspect ${argument},`);
      expect(outputs[`${name}DeadLetterQueueUrl`]?.Description).toContain(`--redrive ${argument}`);
    }
    expect(outputs['TableName']?.Value).toEqual({ Ref: 'Table' });
    expect(outputs['EventBusName']?.Value).toEqual({ Ref: 'EventBus' });
    expect(outputs['MetaAppSecretName']?.Value).toBe('Omnichannel-dev/meta-app-secret');
    expect(outputs['MetaAccessTokensSecretName']?.Value).toBe('Omnichannel-dev/meta-access-tokens');
    expect(outputs['AnthropicApiKeySecretName']?.Value).toBe('Omnichannel-dev/anthropic-api-key');
  });
});
