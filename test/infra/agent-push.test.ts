import { beforeAll, describe, expect, it } from 'vitest';
import { PUSH_AUTHORIZER_ENV } from '#lambdas/push/cognito-token-verifier';
import { PUSH_ENV } from '#lambdas/push/push-env';
import { PUSHED_DETAIL_TYPES, PUSHED_SOURCES } from '#lambdas/push/push-message';
import { DETAIL_TYPE, ENV, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { readWebSocketApis } from '#lib/local-cloud/template/read-websocket-apis';
import { actionsOf, environmentOf, statementsGranting, statementsOfRole, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

describe('agent push: WebSocket API, authoriser, connections and the push consumer', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    // cdk-nag runs over the whole stack in test/infra/nag.test.ts.
    synth = synthesizeStack({ stage: 'dev', nag: false });
  });
  const resources = (type: string) => Object.entries(synth.json.Resources).filter(([, r]) => r.Type === type);

  it('is a WebSocket API selecting routes by the body action, on the live stage', () => {
    const apis = resources('AWS::ApiGatewayV2::Api').filter(([, r]) => r.Properties?.['ProtocolType'] === 'WEBSOCKET');
    expect(apis.map(([id]) => id)).toEqual(['AgentPushApi']);
    expect(apis[0]![1].Properties).toMatchObject({ Name: 'Omnichannel-dev-agent-push', RouteSelectionExpression: '$request.body.action' });
    const stage = resources('AWS::ApiGatewayV2::Stage').filter(([, r]) => JSON.stringify(r.Properties?.['ApiId']) === JSON.stringify({ Ref: 'AgentPushApi' }));
    expect(stage).toHaveLength(1);
    expect(stage[0]![1].Properties).toMatchObject({ StageName: 'live', AutoDeploy: true });
  });

  it('guards $connect with a Lambda REQUEST authoriser reading ?token=, and routes $disconnect and $default to the connections function', () => {
    const [spec] = readWebSocketApis(synth.json as never);
    expect(spec!.authorizers).toEqual([
      { logicalId: expect.any(String), functionLogicalId: 'AgentPushAuthorizerFunction', identitySources: ['route.request.querystring.token'] },
    ]);
    const byKey = Object.fromEntries(spec!.routes.map((r) => [r.routeKey, r]));
    expect(Object.keys(byKey).sort()).toEqual(['$connect', '$default', '$disconnect']);
    expect(byKey.$connect).toMatchObject({
      authorizationType: 'CUSTOM',
      authorizerLogicalId: spec!.authorizers[0]!.logicalId,
      functionLogicalId: 'AgentPushConnectionFunction',
    });
    expect(byKey.$disconnect).toMatchObject({ authorizationType: 'NONE', functionLogicalId: 'AgentPushConnectionFunction' });
    expect(byKey.$default).toMatchObject({ functionLogicalId: 'AgentPushConnectionFunction', returnsResponse: true });
    const authorizer = synth.json.Resources[spec!.authorizers[0]!.logicalId]!;
    expect(authorizer.Properties).toMatchObject({ AuthorizerType: 'REQUEST' });
  });

  it("configures the authoriser with the operators' pool and every app client of it", () => {
    const env = environmentOf(synth.json, 'AgentPushAuthorizerFunction');
    expect(env[PUSH_AUTHORIZER_ENV.userPoolId]).toEqual({ Ref: 'OperatorUserPool' });
    expect(JSON.stringify(env[PUSH_AUTHORIZER_ENV.clientIds])).toContain('OperatorConsoleClient');
    // In AWS the key set comes from Cognito itself; only the local cloud points elsewhere.
    expect(env[PUSH_AUTHORIZER_ENV.jwksUrl]).toBeUndefined();
    const actions = actionsOf(statementsOfRole(synth.json, 'AgentPushAuthorizerFunctionRole'));
    expect(actions.filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'))).toEqual([]);
  });

  it('feeds the push consumer from the bus with the changes people see, through a queue with a dead-letter queue', () => {
    const [, rule] = resources('AWS::Events::Rule').find(([id]) => id === 'AgentPushRule')!;
    const pattern = rule.Properties?.['EventPattern'] as { source: string[]; 'detail-type': string[] };
    expect(pattern.source.sort()).toEqual([...PUSHED_SOURCES].sort());
    expect(pattern['detail-type'].sort()).toEqual([...PUSHED_DETAIL_TYPES].sort());
    for (const t of [
      DETAIL_TYPE.conversationOffered,
      DETAIL_TYPE.messageReceived,
      DETAIL_TYPE.messageRead,
      DETAIL_TYPE.conversationTransferred,
      DETAIL_TYPE.slaBreached,
    ]) {
      expect(pattern['detail-type']).toContain(t);
    }
    expect(pattern.source).toContain(EVENT_SOURCE.routing);
    const targets = rule.Properties?.['Targets'] as Array<{ Arn: unknown; DeadLetterConfig?: { Arn: unknown } }>;
    expect(targets[0]!.Arn).toEqual({ 'Fn::GetAtt': ['AgentPushQueue', 'Arn'] });
    expect(targets[0]!.DeadLetterConfig?.Arn).toEqual({ 'Fn::GetAtt': ['AgentPushDeadLetterQueue', 'Arn'] });
    const queue = synth.json.Resources['AgentPushQueue']!;
    expect(queue.Properties?.['RedrivePolicy']).toMatchObject({ deadLetterTargetArn: { 'Fn::GetAtt': ['AgentPushDeadLetterQueue', 'Arn'] } });
    expect(synth.stack.redrivableQueues.map((q) => q.name)).toContain('AgentPush');
  });

  it('posts only to connections of this API stage, and touches the table item by item', () => {
    const env = environmentOf(synth.json, 'AgentPushFunction');
    expect(env[ENV.tableName]).toEqual({ Ref: 'Table' });
    expect(JSON.stringify(env[PUSH_ENV.managementEndpoint])).toMatch(/AgentPushApi.*execute-api.*live/);
    const statements = statementsOfRole(synth.json, 'AgentPushFunctionRole');
    const manage = statementsGranting(statements, 'execute-api:ManageConnections');
    expect(manage).toHaveLength(1);
    const resource = JSON.stringify(manage[0]!.Resource);
    expect(resource).toContain('AgentPushApi');
    expect(resource).toContain('/live/POST/@connections/*');
    const actions = new Set(actionsOf(statements));
    expect([...actions].filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    expect([...actions].filter((a) => a.startsWith('execute-api:'))).toEqual(['execute-api:ManageConnections']);
    expect([...actions].some((a) => a.startsWith('events:') || a.startsWith('secretsmanager:'))).toBe(false);

    const connectionActions = actionsOf(statementsOfRole(synth.json, 'AgentPushConnectionFunctionRole')).filter((a) => a.startsWith('dynamodb:'));
    expect(connectionActions.sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem']);
  });

  it('names the WebSocket URL in the outputs', () => {
    expect(JSON.stringify(synth.json.Outputs?.['AgentPushUrl']?.Value)).toMatch(/wss:\/\/.*AgentPushApi.*live/);
  });
});

describe('agent push rule', () => {
  it("keeps the rule's description within CloudFormation's 512 characters", () => {
    const synth = synthesizeStack({ stage: 'dev', nag: false });
    expect(String(synth.json.Resources['AgentPushRule']!.Properties?.['Description']).length).toBeLessThanOrEqual(512);
  });
});
