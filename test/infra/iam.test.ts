import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  FUNCTION_IDS,
  statementsGranting,
  statementsOfRole,
  synthesizeStack,
  type CfnTemplate,
  type SynthesizedStack,
} from '#test/infra/synthesize';

function actionsOfFunction(json: CfnTemplate, functionId: string): string[] {
  return actionsOf(statementsOfRole(json, `${functionId}Role`));
}

function resourcesGranted(json: CfnTemplate, functionId: string, action: string): unknown[] {
  return statementsGranting(statementsOfRole(json, `${functionId}Role`), action).flatMap((statement) =>
    Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource],
  );
}

const TABLE_RESOURCES = [
  { 'Fn::GetAtt': ['Table', 'Arn'] },
  { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/byTime']] },
  { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/gsi1']] },
  { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/gsi2']] },
];

describe('IAM least privilege', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev' });
  });

  it('gives no function a managed policy, an action wildcard or an Allow on "*" other than X-Ray', () => {
    for (const functionId of FUNCTION_IDS) {
      const role = synth.json.Resources[`${functionId}Role`];
      expect(role?.Type).toBe('AWS::IAM::Role');
      expect(role?.Properties).not.toHaveProperty('ManagedPolicyArns');
      const statements = statementsOfRole(synth.json, `${functionId}Role`);
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        for (const action of actionsOf([statement])) expect(action).not.toMatch(/\*/);
        if (statement.Resource === '*') {
          expect(actionsOf([statement]).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
        }
      }
    }
  });

  it('lets each function write only to its own log group', () => {
    for (const functionId of FUNCTION_IDS) {
      expect(resourcesGranted(synth.json, functionId, 'logs:PutLogEvents')).toEqual([{ 'Fn::GetAtt': [`${functionId}LogGroup`, 'Arn'] }]);
    }
  });

  describe('webhook', () => {
    it('only sends to the ingress queue, puts claim-check objects and reads the app secret', () => {
      const actions = actionsOfFunction(synth.json, 'WebhookFunction');
      expect(actions.filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
      expect(actions.filter((action) => action.startsWith('events:'))).toEqual([]);
      expect(actions.filter((action) => action.startsWith('sqs:'))).toEqual(['sqs:SendMessage']);
      expect(actions.filter((action) => action.startsWith('s3:'))).toEqual(['s3:PutObject']);
      expect(resourcesGranted(synth.json, 'WebhookFunction', 'sqs:SendMessage')).toEqual([{ 'Fn::GetAtt': ['IngressQueue', 'Arn'] }]);
      expect(resourcesGranted(synth.json, 'WebhookFunction', 'secretsmanager:GetSecretValue')).toEqual([{ Ref: 'MetaAppSecret' }]);
    });
  });

  describe('normalizer', () => {
    it('reads and conditionally writes the table and its named indexes, never scans or deletes', () => {
      const actions = actionsOfFunction(synth.json, 'NormalizerFunction');
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']));
      expect(actions).not.toContain('dynamodb:Scan');
      expect(actions).not.toContain('dynamodb:DeleteItem');
      expect(resourcesGranted(synth.json, 'NormalizerFunction', 'dynamodb:PutItem')).toEqual(TABLE_RESOURCES);
    });

    it('publishes on the bus, reads claim-check bodies, and cannot read any secret', () => {
      const actions = actionsOfFunction(synth.json, 'NormalizerFunction');
      expect(resourcesGranted(synth.json, 'NormalizerFunction', 'events:PutEvents')).toEqual([{ 'Fn::GetAtt': ['EventBus', 'Arn'] }]);
      expect(actions.filter((action) => action.startsWith('s3:'))).toEqual(['s3:GetObject']);
      expect(actions.filter((action) => action.startsWith('secretsmanager:'))).toEqual([]);
    });
  });

  it('lets only the senders (conversational and campaign), the media downloader and the template sync read the shared Meta access tokens', () => {
    for (const functionId of FUNCTION_IDS) {
      const secrets = resourcesGranted(synth.json, functionId, 'secretsmanager:GetSecretValue');
      const readsTokens = secrets.some((resource) => JSON.stringify(resource) === JSON.stringify({ Ref: 'MetaAccessTokens' }));
      expect({ functionId, readsTokens }).toEqual({
        functionId,
        readsTokens: ['OutboundSendFunction', 'CampaignSendFunction', 'MediaDownloadFunction', 'TemplatesApiFunction'].includes(functionId),
      });
    }
  });

  it('grants each secret only to the functions that call its service', () => {
    const readers = (secretId: string): string[] =>
      FUNCTION_IDS.filter((functionId) =>
        resourcesGranted(synth.json, functionId, 'secretsmanager:GetSecretValue').some(
          (resource) => JSON.stringify(resource) === JSON.stringify({ Ref: secretId }),
        ),
      );
    expect(readers('MetaAppSecret').sort()).toEqual(['OnboardingApiFunction', 'WebhookFunction']);
    expect(readers('MetaAccessTokens').sort()).toEqual(['CampaignSendFunction', 'MediaDownloadFunction', 'OutboundSendFunction', 'TemplatesApiFunction']);
    expect(readers('AnthropicApiKey')).toEqual(['AgentFunction']);
  });

  it('lets each consumer receive only from its own queue', () => {
    const expected: Record<string, string> = {
      NormalizerFunction: 'IngressQueue',
      AgentFunction: 'AgentQueue',
      OutboundSendFunction: 'OutboundSendQueue',
      StatusTrackingFunction: 'StatusTrackingQueue',
      MediaDownloadFunction: 'MediaDownloadQueue',
    };
    for (const [functionId, queueId] of Object.entries(expected)) {
      expect(resourcesGranted(synth.json, functionId, 'sqs:ReceiveMessage')).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    }
    expect(resourcesGranted(synth.json, 'WebhookFunction', 'sqs:ReceiveMessage')).toEqual([]);
  });

  it('keeps the claim-check bucket away from the downstream consumers', () => {
    for (const functionId of ['AgentFunction', 'OutboundSendFunction', 'StatusTrackingFunction']) {
      expect(actionsOfFunction(synth.json, functionId).filter((action) => action.startsWith('s3:'))).toEqual([]);
    }
  });
});
