import { beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPE, ENV, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { TEMPLATE_TOPIC_LIST } from '#lambdas/templates/apply-template-notification';
import { TEMPLATES_API_ROUTES } from '#lambdas/templates/templates-api-contract';
import { actionsOf, environmentOf, statementsGranting, statementsOfRole, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

const TABLE_RESOURCES = [
  { 'Fn::GetAtt': ['Table', 'Arn'] },
  { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/byTime']] },
  { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/gsi1']] },
  { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/gsi2']] },
];

describe('templates API and template webhooks', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev' });
  });

  const resourcesOf = (roleId: string, action: string) =>
    statementsGranting(statementsOfRole(synth.json, roleId), action).flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));

  it("adds every route to the webhook HTTP API, each behind the operators' JWT authoriser with the templates scope, to its own function", () => {
    const routes = Object.values(synth.template.findResources('AWS::ApiGatewayV2::Route')).filter((r) =>
      / \/templates/.test(String(r['Properties']['RouteKey'])),
    );
    expect(routes.map((r) => r['Properties']['RouteKey']).sort()).toEqual(
      Object.values(TEMPLATES_API_ROUTES)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
    for (const route of routes)
      expect(route['Properties']).toMatchObject({
        ...{ AuthorizationType: 'JWT', AuthorizerId: { Ref: 'OperatorJwtAuthorizer' }, ApiId: { Ref: 'WebhookApi' } },
        AuthorizationScopes: ['omnichannel/templates'],
      });
    const integrations = Object.values(synth.template.findResources('AWS::ApiGatewayV2::Integration')).filter((i) =>
      JSON.stringify(i['Properties']['IntegrationUri']).includes('TemplatesApiFunction'),
    );
    expect(integrations).toHaveLength(1);
    expect(integrations[0]!['Properties']).toMatchObject({ PayloadFormatVersion: '2.0' });
  });

  it('gives the API function item reads and writes, the bus and the access tokens, nothing else', () => {
    const env = environmentOf(synth.json, 'TemplatesApiFunction');
    expect(env[ENV.metaAccessTokensSecretId]).toBe('Omnichannel-dev/meta-access-tokens');
    const actions = new Set(actionsOf(statementsOfRole(synth.json, 'TemplatesApiFunctionRole')));
    expect([...actions].filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(resourcesOf('TemplatesApiFunctionRole', 'dynamodb:PutItem')).toEqual(TABLE_RESOURCES);
    expect(actions.has('events:PutEvents')).toBe(true);
    expect([...actions].filter((a) => /^(sqs|s3|kms|lambda):/.test(a))).toEqual([]);
    const secrets = resourcesOf('TemplatesApiFunctionRole', 'secretsmanager:GetSecretValue').map((r) => JSON.stringify(r));
    expect(secrets).toHaveLength(2);
    expect(secrets).toEqual(expect.arrayContaining([JSON.stringify({ Ref: 'MetaAccessTokens' })]));
    // The third: the per-business token secrets onboarding creates, by their name prefix only.
    expect(secrets.find((r) => r.includes('account-tokens'))).toContain('Omnichannel-dev/account-tokens/*');
  });

  it('feeds only the template topics of notification.received to the template-events consumer', () => {
    const rule = synth.json.Resources['TemplateEventsRule'];
    expect(rule?.Properties?.['EventPattern']).toEqual({
      source: [EVENT_SOURCE.normalizer],
      'detail-type': [DETAIL_TYPE.notificationReceived],
      detail: { topic: [...TEMPLATE_TOPIC_LIST] },
    });
    const actions = actionsOf(statementsOfRole(synth.json, 'TemplateEventsFunctionRole'));
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(actions.filter((a) => /^(events|secretsmanager|s3):/.test(a))).toEqual([]);
  });

  it('has the outbound sender listen to template sends', () => {
    const rule = synth.json.Resources['OutboundSendRule'];
    expect((rule!.Properties!['EventPattern'] as { source: string[] }).source).toContain(EVENT_SOURCE.templates);
  });
});
