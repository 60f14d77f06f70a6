import { beforeAll, describe, expect, it } from 'vitest';
import { CONTACTS_ADMIN_ROUTES, CONTACTS_AGENT_ROUTES } from '#lambdas/contacts/api/contacts-api-contract';
import { HUMAN_AGENT_ROUTES } from '#lambdas/human-agent/human-agent-contract';
import { MEDIA_BUCKET_ENV } from '#lambdas/media/media-env';
import { ENV } from '#lambdas/shared/event-contract';
import { CONVERSATION_WORKSPACE_ROUTES } from '#lambdas/workspace/workspace-routes';
import { ROUTING_WORKSPACE_ROUTES } from '#lambdas/routing/api/routing-api-routes';
import { actionsOf, environmentOf, statementsGranting, statementsOfRole, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

describe('human-agent API', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev' });
  });

  const agentRoutes = () =>
    Object.values(synth.template.findResources('AWS::ApiGatewayV2::Route')).filter((r) =>
      /^\w+ \/(agent|supervisor)\//.test(String(r['Properties']['RouteKey'])),
    );

  it("adds every route to the webhook HTTP API, each behind the operators' JWT authoriser with the agent scope", () => {
    const routes = agentRoutes();
    // The conversation workspace's routes too (notes, tags, macros, templates, media, updates, stats).
    expect(routes.map((r) => r['Properties']['RouteKey'])).toEqual(
      expect.arrayContaining(
        [...Object.values(HUMAN_AGENT_ROUTES), ...CONVERSATION_WORKSPACE_ROUTES, ...ROUTING_WORKSPACE_ROUTES].map((r) => `${r.method} ${r.path}`),
      ),
    );
    for (const route of routes) {
      expect(route['Properties']).toMatchObject({
        ...{ AuthorizationType: 'JWT', AuthorizerId: { Ref: 'OperatorJwtAuthorizer' }, ApiId: { Ref: 'WebhookApi' } },
        AuthorizationScopes: ['omnichannel/agent'],
      });
    }
  });

  it("serves the contacts routes (PATCH among them) with the agent scope, the schema's on the admin API, and lets the function search contacts", () => {
    const keys = (scope: string) =>
      Object.values(synth.template.findResources('AWS::ApiGatewayV2::Route'))
        .filter((r) => JSON.stringify(r['Properties']['AuthorizationScopes']) === JSON.stringify([scope]))
        .map((r) => String(r['Properties']['RouteKey']));
    expect(keys('omnichannel/agent')).toEqual(expect.arrayContaining(Object.values(CONTACTS_AGENT_ROUTES).map((r) => `${r.method} ${r.path}`)));
    expect(keys('omnichannel/agent')).toContain('PATCH /agent/contacts/{contactId}/attributes');
    expect(keys('omnichannel/admin')).toEqual(expect.arrayContaining(Object.values(CONTACTS_ADMIN_ROUTES).map((r) => `${r.method} ${r.path}`)));
    const api = Object.values(synth.template.findResources('AWS::ApiGatewayV2::Api')).find((a) => a['Properties']['CorsConfiguration']);
    expect(api?.['Properties']['CorsConfiguration']['AllowMethods']).toContain('PATCH');
    const search = statementsGranting(statementsOfRole(synth.json, 'HumanAgentApiFunctionRole'), 'dynamodb:Query').flatMap((s) =>
      Array.isArray(s.Resource) ? s.Resource : [s.Resource],
    );
    expect(JSON.stringify(search)).toContain('/index/gsi3');
  });

  it('sends them to its own function with payload format 2.0', () => {
    const integrations = Object.values(synth.template.findResources('AWS::ApiGatewayV2::Integration')).filter((i) =>
      JSON.stringify(i['Properties']['IntegrationUri']).includes('HumanAgentApiFunction'),
    );
    expect(integrations).toHaveLength(1);
    expect(integrations[0]!['Properties']).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  it('gives the function the table, the bus, reads of stored media only, and no secret', () => {
    const env = environmentOf(synth.json, 'HumanAgentApiFunction');
    expect(env[ENV.tableName]).toEqual({ Ref: 'Table' });
    expect(env[MEDIA_BUCKET_ENV]).toEqual({ Ref: 'MediaBucket' });
    const statements = statementsOfRole(synth.json, 'HumanAgentApiFunctionRole');
    const actions = new Set(actionsOf(statements));
    expect(actions.has('events:PutEvents')).toBe(true);
    expect(actions.has('dynamodb:TransactWriteItems') || actions.has('dynamodb:PutItem')).toBe(true);
    // The signed media links are signed with this grant: GetObject under the media prefix, nothing else.
    const s3Statements = statements.filter((st) => actionsOf([st]).some((a) => a.startsWith('s3:')));
    expect(actionsOf(s3Statements)).toEqual(['s3:GetObject']);
    expect(s3Statements.map((st) => st.Resource)).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['MediaBucket', 'Arn'] }, '/media/*']] }]);
    const secrets = statementsGranting(statements, 'secretsmanager:GetSecretValue').flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
    expect(secrets).toEqual([]);
  });
});
