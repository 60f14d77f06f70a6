import { beforeAll, describe, expect, it } from 'vitest';
import { HUMAN_AGENT_ROUTES } from '#lambdas/human-agent/human-agent-contract';
import { ENV } from '#lambdas/shared/event-contract';
import {
  actionsOf,
  environmentOf,
  FUNCTION_IDS,
  statementsGranting,
  statementsOfRole,
  synthesizeStack,
  type SynthesizedStack,
} from '#test/infra/synthesize';

describe('human-agent API', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev' });
  });

  const agentRoutes = () =>
    Object.values(synth.template.findResources('AWS::ApiGatewayV2::Route')).filter((r) =>
      String(r['Properties']['RouteKey']).includes(' /agent/'),
    );

  it('adds every route to the webhook HTTP API, each behind the operators\' JWT authoriser with the agent scope', () => {
    const routes = agentRoutes();
    expect(routes.map((r) => r['Properties']['RouteKey']).sort()).toEqual(
      Object.values(HUMAN_AGENT_ROUTES)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
    for (const route of routes) {
      expect(route['Properties']).toMatchObject({ ...{ AuthorizationType: 'JWT', AuthorizerId: { Ref: 'OperatorJwtAuthorizer' }, ApiId: { Ref: 'WebhookApi' } }, AuthorizationScopes: ['omnichannel/agent'] });
    }
  });

  it('sends them to its own function with payload format 2.0', () => {
    const integrations = Object.values(synth.template.findResources('AWS::ApiGatewayV2::Integration')).filter((i) =>
      JSON.stringify(i['Properties']['IntegrationUri']).includes('HumanAgentApiFunction'),
    );
    expect(integrations).toHaveLength(1);
    expect(integrations[0]!['Properties']).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  it('gives the function the table and the bus, and no secret', () => {
    const env = environmentOf(synth.json, 'HumanAgentApiFunction');
    expect(env[ENV.tableName]).toEqual({ Ref: 'Table' });
    const statements = statementsOfRole(synth.json, 'HumanAgentApiFunctionRole');
    const actions = new Set(actionsOf(statements));
    expect(actions.has('events:PutEvents')).toBe(true);
    expect(actions.has('dynamodb:TransactWriteItems') || actions.has('dynamodb:PutItem')).toBe(true);
    expect([...actions].filter((a) => a.startsWith('sqs:') || a.startsWith('s3:'))).toEqual([]);
    const secrets = statementsGranting(statements, 'secretsmanager:GetSecretValue').flatMap((s) =>
      Array.isArray(s.Resource) ? s.Resource : [s.Resource],
    );
    expect(secrets).toEqual([]);
  });
});
