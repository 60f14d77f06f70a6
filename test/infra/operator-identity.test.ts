import { beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNTS_ADMIN_ROUTES } from '#lambdas/accounts/accounts-api-contract';
import { CAMPAIGNS_ROUTES } from '#lambdas/campaigns/campaigns-api-contract';
import { CONTACTS_ADMIN_ROUTES } from '#lambdas/contacts/api/contacts-api-contract';
import { ADMIN_ROUTES } from '#lambdas/identity/admin-routes';
import { INTEGRATIONS_ROUTES } from '#lambdas/integrations/api/integrations-api-contract';
import { SPEND_ROUTES } from '#lambdas/pricing/api/spend-api-contract';
import { MACHINE_CLIENTS_ENV } from '#lambdas/identity/token-claims';
import { ROUTING_ADMIN_ROUTES } from '#lambdas/routing/routing-api-contract';
import { actionsOf, environmentOf, FUNCTION_IDS, resourceOfType, statementsOfRole, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

describe('operator identity (Cognito + JWT authoriser)', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({
      stage: 'dev',
      stackProps: { machineClients: [{ name: 'acme-backend', businessId: 'acme', roles: ['agent'], scopes: ['templates'] }] },
    });
  });

  // The HTTP API's routes; the agents' WebSocket API authorises its connections itself (test/infra/agent-push.test.ts).
  const routes = () =>
    Object.values(synth.template.findResources('AWS::ApiGatewayV2::Route', { Properties: { ApiId: { Ref: 'WebhookApi' } } })).map(
      (r) => r['Properties'] as Record<string, unknown>,
    );

  it('keeps people in a user pool with no self sign-up, TOTP as the second factor and a business attribute', () => {
    const pool = resourceOfType(synth.json, 'OperatorUserPool', 'AWS::Cognito::UserPool').Properties!;
    expect(pool).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'ESSENTIALS',
    });
    expect(JSON.stringify(pool['Schema'])).toContain('"Name":"business_id"');
    expect(pool['LambdaConfig']).toMatchObject({
      PreTokenGenerationConfig: { LambdaVersion: 'V3_0', LambdaArn: { 'Fn::GetAtt': ['OperatorTokenClaimsFunction', 'Arn'] } },
    });
  });

  it('has one group per role and one scope per operator API', () => {
    const groups = Object.values(synth.template.findResources('AWS::Cognito::UserPoolGroup')).map((g) => g['Properties']['GroupName']);
    expect(groups.sort()).toEqual(['admin', 'agent', 'platform', 'supervisor']);
    const server = resourceOfType(synth.json, 'OperatorResourceServer', 'AWS::Cognito::UserPoolResourceServer').Properties!;
    expect(server['Identifier']).toBe('omnichannel');
    expect((server['Scopes'] as Array<{ ScopeName: string }>).map((s) => s.ScopeName).sort()).toEqual(['admin', 'agent', 'onboarding', 'templates']);
  });

  it('signs people in with the code flow and no client secret, machines with client credentials and a secret', () => {
    const consoleClient = resourceOfType(synth.json, 'OperatorConsoleClient', 'AWS::Cognito::UserPoolClient').Properties!;
    expect(consoleClient).toMatchObject({ AllowedOAuthFlows: ['code'], GenerateSecret: false, PreventUserExistenceErrors: 'ENABLED' });
    const machines = Object.values(synth.template.findResources('AWS::Cognito::UserPoolClient')).filter((c) => c['Properties']['GenerateSecret'] === true);
    expect(machines).toHaveLength(1);
    expect(machines[0]!['Properties']).toMatchObject({ AllowedOAuthFlows: ['client_credentials'], ClientName: 'Omnichannel-dev-m2m-acme-backend' });
    expect(JSON.stringify(machines[0]!['Properties']['AllowedOAuthScopes'])).toContain('/templates');
    const grants = JSON.parse(String(environmentOf(synth.json, 'OperatorTokenClaimsFunction')[MACHINE_CLIENTS_ENV]));
    expect(grants).toEqual({ 'Omnichannel-dev-m2m-acme-backend': { businessId: 'acme', roles: ['agent'] } });
  });

  it('verifies tokens with a JWT authoriser on the pool as issuer and every client as audience', () => {
    const authorizer = resourceOfType(synth.json, 'OperatorJwtAuthorizer', 'AWS::ApiGatewayV2::Authorizer').Properties!;
    expect(authorizer).toMatchObject({ AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    const jwt = authorizer['JwtConfiguration'] as { Audience: unknown[]; Issuer: unknown };
    expect(JSON.stringify(jwt.Issuer)).toContain('OperatorUserPool');
    expect(JSON.stringify(jwt.Issuer)).toContain('https://cognito-idp.');
    expect(jwt.Audience).toHaveLength(2);
    expect(jwt.Audience[0]).toEqual({ Ref: 'OperatorConsoleClient' });
  });

  it("puts every operator route behind the authoriser with its API's scope, and leaves only the webhook open", () => {
    const scopeOf: Record<string, string> = {
      agent: 'omnichannel/agent',
      supervisor: 'omnichannel/agent',
      templates: 'omnichannel/templates',
      onboarding: 'omnichannel/onboarding',
      admin: 'omnichannel/admin',
    };
    for (const route of routes()) {
      const key = String(route['RouteKey']);
      if (/ \/webhook$/.test(key)) {
        expect(route['AuthorizationType'] ?? 'NONE').toBe('NONE');
        continue;
      }
      const api = /^\S+ \/(agent|supervisor|templates|onboarding|admin)\b/.exec(key)?.[1];
      expect(api, `${key} is an operator route`).toBeDefined();
      expect(route).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: 'OperatorJwtAuthorizer' }, AuthorizationScopes: [scopeOf[api!]] });
    }
    const adminKeys = routes()
      .map((r) => String(r['RouteKey']))
      .filter((k) => k.includes(' /admin/'));
    expect(adminKeys.sort()).toEqual(
      [
        ...Object.values(ADMIN_ROUTES),
        ...Object.values(ROUTING_ADMIN_ROUTES),
        ...Object.values(ACCOUNTS_ADMIN_ROUTES),
        ...Object.values(CONTACTS_ADMIN_ROUTES),
        ...Object.values(INTEGRATIONS_ROUTES),
        ...Object.values(CAMPAIGNS_ROUTES),
        ...Object.values(SPEND_ROUTES),
      ]
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
  });

  it("lets the token trigger read users' MFA settings and clients' names, and nothing else", () => {
    const actions = new Set(actionsOf(statementsOfRole(synth.json, 'OperatorTokenClaimsFunctionRole')));
    expect([...actions].filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:')).sort()).toEqual([
      'cognito-idp:AdminGetUser',
      'cognito-idp:DescribeUserPoolClient',
    ]);
  });

  it('keeps no operator bearer-token secret any more', () => {
    const secrets = Object.keys(synth.template.findResources('AWS::SecretsManager::Secret'));
    expect(secrets.filter((id) => /ApiToken/.test(id))).toEqual([]);
    for (const id of FUNCTION_IDS) {
      expect(JSON.stringify(environmentOf(synth.json, id))).not.toContain('api-token');
    }
  });
});
