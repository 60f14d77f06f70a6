import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { OperatorRequestError } from '#lambdas/identity/errors';
import { claimList, type OperatorIdentity, operatorIdentityOf } from '#lambdas/identity/operator-identity';
import { ACTION_ROLES, mayDo, requireActsFor, requireOwnTarget, type OperatorAction } from '#lambdas/identity/operator-permissions';
import { type PreTokenGenerationEvent, tokenClaimsFor, tokenResponse } from '#lambdas/identity/token-claims';

/** An event as API Gateway hands it over after its JWT authoriser accepted the token. */
function withClaims(claims: Record<string, unknown> | undefined, scopes?: string[]): APIGatewayProxyEventV2 {
  return {
    requestContext: { http: { method: 'GET' }, requestId: 'r', ...(claims ? { authorizer: { jwt: { claims, scopes: scopes ?? null } } } : {}) },
  } as unknown as APIGatewayProxyEventV2;
}

describe('the caller from the verified token', () => {
  it('reads the business and roles in the forms API Gateway passes them', () => {
    const id = operatorIdentityOf(
      withClaims({ sub: 'u-1', username: 'marta', business_id: 'acme', roles: 'agent supervisor', client_id: 'c1', scope: 'omnichannel/agent' }),
    );
    expect(id).toEqual({ subject: 'u-1', actor: 'marta', businessId: 'acme', roles: ['agent', 'supervisor'], scopes: ['omnichannel/agent'], clientId: 'c1' });
    // HTTP APIs hand array claims over as one bracketed string.
    expect(operatorIdentityOf(withClaims({ sub: 'u', business_id: 'acme', 'cognito:groups': '[admin agent]' })).roles).toEqual(['admin', 'agent']);
    expect(operatorIdentityOf(withClaims({ sub: 'u', business_id: 'acme', 'cognito:groups': ['platform'] })).roles).toEqual(['platform']);
  });

  it('keeps only known roles', () => {
    expect(operatorIdentityOf(withClaims({ sub: 'u', business_id: 'acme', roles: 'agent root superuser' })).roles).toEqual(['agent']);
  });

  it('refuses a request the authoriser did not vouch for (401) and a token of no business (403)', () => {
    expect(() => operatorIdentityOf(withClaims(undefined))).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => operatorIdentityOf(withClaims({ business_id: 'acme' }))).toThrow(expect.objectContaining({ status: 401 }));
    for (const business of [undefined, '', 'a b', 'x'.repeat(150), '../other']) {
      expect(() => operatorIdentityOf(withClaims({ sub: 'u', ...(business !== undefined ? { business_id: business } : {}) }))).toThrow(
        expect.objectContaining({ status: 403, code: 'no_business' }),
      );
    }
  });

  it('parses list claims whatever their form', () => {
    expect(claimList('[a b  c]')).toEqual(['a', 'b', 'c']);
    expect(claimList('a,b')).toEqual(['a', 'b']);
    expect(claimList(['a', ' b '])).toEqual(['a', 'b']);
    expect(claimList(undefined)).toEqual([]);
  });
});

const who = (roles: OperatorIdentity['roles'], businessId = 'acme'): OperatorIdentity => ({ subject: 's', actor: 's', businessId, roles, scopes: [] });

describe('what each role may do', () => {
  const table: Record<OperatorAction, Array<OperatorIdentity['roles'][number]>> = {
    'conversations.read': ['agent', 'supervisor', 'admin', 'platform'],
    'conversations.act': ['agent', 'supervisor', 'admin', 'platform'],
    'templates.read': ['agent', 'supervisor', 'admin', 'platform'],
    'templates.send': ['agent', 'supervisor', 'admin', 'platform'],
    'templates.sync': ['admin', 'platform'],
    'onboarding.run': ['admin', 'platform'],
    'onboarding.read': ['admin', 'platform'],
    'settings.read': ['supervisor', 'admin', 'platform'],
    'settings.write': ['admin', 'platform'],
    'audit.read': ['admin', 'platform'],
    'workspace.use': ['agent', 'supervisor', 'admin'],
    'queues.monitor': ['supervisor', 'admin', 'platform'],
    'conversations.reassign': ['supervisor', 'admin', 'platform'],
    'routing.read': ['supervisor', 'admin', 'platform'],
    'routing.write': ['admin', 'platform'],
    'contacts.read': ['agent', 'supervisor', 'admin', 'platform'],
    'contacts.write': ['agent', 'supervisor', 'admin', 'platform'],
    'contacts.admin': ['admin', 'platform'],
    'integrations.read': ['admin', 'platform'],
    'integrations.write': ['admin', 'platform'],
    'campaigns.read': ['supervisor', 'admin', 'platform'],
    'campaigns.write': ['admin', 'platform'],
    'spend.read': ['supervisor', 'admin', 'platform'],
    'spend.write': ['admin', 'platform'],
  };
  it.each(Object.keys(ACTION_ROLES) as OperatorAction[])('%s', (action) => {
    for (const role of ['agent', 'supervisor', 'admin', 'platform'] as const) {
      expect(mayDo(who([role]), action), `${role} ${action}`).toBe(table[action].includes(role));
    }
    expect(mayDo(who([]), action)).toBe(false);
  });

  it("answers another business's target as not found, unless the caller is platform", () => {
    expect(() => requireOwnTarget(who(['admin']), 'acme', 'conversation')).not.toThrow();
    expect(() => requireOwnTarget(who(['admin']), 'other', 'conversation')).toThrow(expect.objectContaining({ status: 404, code: 'conversation_not_found' }));
    expect(() => requireOwnTarget(who(['admin']), undefined, 'account')).toThrow(OperatorRequestError);
    expect(() => requireOwnTarget(who(['platform']), 'other', 'conversation')).not.toThrow();
    expect(() => requireOwnTarget(who(['platform']), undefined, 'conversation')).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => requireActsFor(who(['admin']), 'other')).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => requireActsFor(who(['platform']), 'other')).not.toThrow();
  });
});

describe('the pre token generation trigger', () => {
  const person = (groups: string[], attributes: Record<string, string> = { 'custom:business_id': 'acme' }): PreTokenGenerationEvent => ({
    triggerSource: 'TokenGeneration_HostedAuth',
    userPoolId: 'pool',
    userName: 'marta',
    callerContext: { clientId: 'console' },
    request: { userAttributes: attributes, groupConfiguration: { groupsToOverride: groups } },
    response: {},
  });
  const deps = (totp: boolean) => ({
    machineClients: { 'stack-m2m-acme-backend': { businessId: 'acme', roles: ['agent' as const] } },
    clientName: async (_pool: string, clientId: string) => (clientId === 'm2m-1' ? 'stack-m2m-acme-backend' : 'something-else'),
    hasTotp: async () => totp,
  });

  it("writes a person's business and groups into the token", async () => {
    const claims = await tokenClaimsFor(person(['agent', 'supervisor', 'unknown']), deps(false));
    expect(claims).toEqual({ businessId: 'acme', roles: ['agent', 'supervisor'] });
    const response = tokenResponse(person([]), claims) as { claimsAndScopeOverrideDetails: Record<string, any> };
    expect(response.claimsAndScopeOverrideDetails.accessTokenGeneration.claimsToAddOrOverride).toEqual({ business_id: 'acme', roles: 'agent supervisor' });
  });

  it('withholds admin and platform from a person without TOTP, and from their groups claim', async () => {
    const claims = await tokenClaimsFor(person(['admin', 'agent']), deps(false));
    expect(claims).toEqual({ businessId: 'acme', roles: ['agent'], withheld: { roles: ['admin'], reason: 'no_totp' } });
    const response = tokenResponse(person([]), claims) as { claimsAndScopeOverrideDetails: Record<string, any> };
    expect(response.claimsAndScopeOverrideDetails.groupOverrideDetails).toEqual({ groupsToOverride: ['agent'] });
    expect(await tokenClaimsFor(person(['admin', 'agent']), deps(true))).toEqual({ businessId: 'acme', roles: ['admin', 'agent'] });
    // Signed in through the company's identity provider: its MFA applies.
    expect((await tokenClaimsFor(person(['platform'], { 'custom:business_id': 'ops', identities: '[{"providerName":"corp"}]' }), deps(false))).roles).toEqual([
      'platform',
    ]);
  });

  it('gives a declared machine client its business and roles, and an undeclared one nothing', async () => {
    const machine = (clientId: string): PreTokenGenerationEvent => ({
      triggerSource: 'TokenGeneration_ClientCredentials',
      userPoolId: 'pool',
      callerContext: { clientId },
      request: { scopes: ['omnichannel/templates'] },
      response: {},
    });
    expect(await tokenClaimsFor(machine('m2m-1'), deps(false))).toEqual({ businessId: 'acme', roles: ['agent'] });
    expect(await tokenClaimsFor(machine('m2m-2'), deps(false))).toEqual({ roles: [] });
    const response = tokenResponse(machine('m2m-1'), { businessId: 'acme', roles: ['agent'] }) as { claimsAndScopeOverrideDetails: Record<string, unknown> };
    expect(Object.keys(response.claimsAndScopeOverrideDetails)).toEqual(['accessTokenGeneration']);
  });
});
