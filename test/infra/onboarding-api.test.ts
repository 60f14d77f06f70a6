import { beforeAll, describe, expect, it } from 'vitest';
import { ONBOARDING_ENV, ONBOARDING_ROUTES } from '#lambdas/onboarding/onboarding-contract';
import { ENV } from '#lambdas/shared/event-contract';
import { actionsOf, environmentOf, FUNCTION_IDS, statementsGranting, statementsOfRole, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';

const resourcesOf = (statements: ReturnType<typeof statementsOfRole>) => statements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));

describe('onboarding API', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev' });
  });

  it("adds its routes to the webhook HTTP API, each behind the operators' JWT authoriser with the onboarding scope, sent to its own function", () => {
    const routes = Object.values(synth.template.findResources('AWS::ApiGatewayV2::Route')).filter((r) =>
      String(r['Properties']['RouteKey']).includes(' /onboarding/'),
    );
    expect(routes.map((r) => r['Properties']['RouteKey']).sort()).toEqual(
      Object.values(ONBOARDING_ROUTES)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
    for (const route of routes)
      expect(route['Properties']).toMatchObject({
        ...{ AuthorizationType: 'JWT', AuthorizerId: { Ref: 'OperatorJwtAuthorizer' }, ApiId: { Ref: 'WebhookApi' } },
        AuthorizationScopes: ['omnichannel/onboarding'],
      });
    const integrations = Object.values(synth.template.findResources('AWS::ApiGatewayV2::Integration')).filter((i) =>
      JSON.stringify(i['Properties']['IntegrationUri']).includes('OnboardingApiFunction'),
    );
    expect(integrations).toHaveLength(1);
    expect(integrations[0]!['Properties']).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  it('tells the function the table, the app secret, the Graph API, the token secret prefix and the bus of the audit trail', () => {
    const env = environmentOf(synth.json, 'OnboardingApiFunction');
    expect(env).toMatchObject({
      [ENV.tableName]: { Ref: 'Table' },
      [ENV.metaAppSecretId]: 'Omnichannel-dev/meta-app-secret',
      [ENV.graphApiBaseUrl]: 'https://graph.facebook.com',
      [ENV.graphApiVersion]: GRAPH_API_VERSION,
      [ONBOARDING_ENV.secretNamePrefix]: 'Omnichannel-dev',
      [ENV.eventBusName]: { Ref: 'EventBus' },
    });
  });

  it('may create, change and read only the per-business token secrets, read the app secret, use the table and publish the audit trail', () => {
    const statements = statementsOfRole(synth.json, 'OnboardingApiFunctionRole');
    const actions = new Set(actionsOf(statements));
    expect([...actions].filter((a) => /^(sqs|s3|kms|lambda):/.test(a))).toEqual([]);
    expect([...actions].filter((a) => a.startsWith('events:'))).toEqual(['events:PutEvents']);
    expect([...actions].filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(actions.has('secretsmanager:DeleteSecret')).toBe(false);

    const prefixPattern = JSON.stringify(resourcesOf(statementsGranting(statements, 'secretsmanager:CreateSecret')));
    expect(prefixPattern).toContain(':secret:Omnichannel-dev/account-tokens/*');
    const describable = resourcesOf(statementsGranting(statements, 'secretsmanager:DescribeSecret')).map((r) => JSON.stringify(r));
    expect(describable.some((r) => r.includes('account-tokens/*'))).toBe(true);
    for (const action of ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue']) {
      const resources = resourcesOf(statementsGranting(statements, action));
      expect(resources).toHaveLength(1);
      expect(JSON.stringify(resources[0])).toContain(':secret:Omnichannel-dev/account-tokens/*');
    }
    const readable = resourcesOf(statementsGranting(statements, 'secretsmanager:GetSecretValue')).map((r) => JSON.stringify(r));
    expect(readable).toHaveLength(2);
    expect(readable).toContain(JSON.stringify({ Ref: 'MetaAppSecret' }));
    expect(readable.some((r) => r.includes('account-tokens/*'))).toBe(true);
    expect(readable.some((r) => r.includes('MetaAccessTokens') || r.includes('AnthropicApiKey'))).toBe(false);
  });

  it('is the only function that may create token secrets; only the Instagram token refresh may also put new versions', () => {
    // The integrations API writes secrets of its own (per-integration signing secrets and the
    // connections EventBridge keeps), never the account token secrets.
    const integrationsOnly = (statement: unknown) => {
      const resource = JSON.stringify((statement as { Resource?: unknown }).Resource ?? '');
      return resource.includes(':secret:Omnichannel-dev/integrations/*') || resource.includes(':secret:events!connection/Omnichannel-dev-i-*');
    };
    // The refresh renews Instagram Login tokens in place: new versions of existing token secrets.
    const accountTokensOnly = (statement: unknown) =>
      JSON.stringify((statement as { Resource?: unknown }).Resource ?? '').includes(':secret:Omnichannel-dev/account-tokens/*');
    for (const functionId of FUNCTION_IDS.filter((id) => id !== 'OnboardingApiFunction')) {
      const statements = statementsOfRole(synth.json, `${functionId}Role`);
      const allowed = functionId === 'IntegrationsApiFunction' ? integrationsOnly : () => false;
      expect(statementsGranting(statements, 'secretsmanager:CreateSecret').filter((st) => !allowed(st))).toEqual([]);
      const mayPut = functionId === 'InstagramTokenRefreshFunction' ? accountTokensOnly : allowed;
      expect(statementsGranting(statements, 'secretsmanager:PutSecretValue').filter((st) => !mayPut(st))).toEqual([]);
    }
  });

  it('leaves a field for the app id in the Meta app secret', () => {
    const secret = synth.json.Resources['MetaAppSecret'];
    expect(JSON.parse(String((secret!.Properties!['GenerateSecretString'] as { SecretStringTemplate: string }).SecretStringTemplate))).toEqual({
      appSecret: '',
      appId: '',
    });
  });
});
