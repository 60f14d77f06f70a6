import { OPERATOR_ROLES, type OperatorRole } from '#lambdas/identity/operator-identity';
import { OPERATOR_CLAIMS } from '#lambdas/identity/operator-scopes';

/** Environment of the token trigger: `{ "<app client name>": { businessId, roles } }` for machine clients. */
export const MACHINE_CLIENTS_ENV = 'OPERATOR_MACHINE_CLIENTS';

export interface MachineClientGrant {
  businessId: string;
  roles: OperatorRole[];
}

/** The parts of Cognito's pre token generation event (version 3) this trigger reads. */
export interface PreTokenGenerationEvent {
  triggerSource: string;
  userPoolId: string;
  userName?: string;
  callerContext: { clientId: string };
  request: {
    userAttributes?: Record<string, string>;
    groupConfiguration?: { groupsToOverride?: string[] };
    scopes?: string[];
  };
  response: Record<string, unknown>;
}

export interface TokenClaimsDeps {
  machineClients: Record<string, MachineClientGrant>;
  /** The app client's name (machine clients are looked up by it). */
  clientName(userPoolId: string, clientId: string): Promise<string | undefined>;
  /** Whether the person has an authenticator app (TOTP) set up, so Cognito asks for it at every sign-in. */
  hasTotp(userPoolId: string, userName: string): Promise<boolean>;
}

/** Roles only granted to people whose sign-in asks for a second factor. */
const MFA_ROLES: readonly OperatorRole[] = ['admin', 'platform'];
const BUSINESS_ATTRIBUTE = 'custom:business_id';

export interface TokenClaims {
  businessId?: string;
  roles: OperatorRole[];
  /** Why a role asked for was left out. */
  withheld?: { roles: OperatorRole[]; reason: 'no_totp' };
}

/**
 * The business and roles an access token carries. A person's come from their `custom:business_id`
 * attribute and their groups; admin and platform are left out until the person has set up TOTP
 * (people signing in through the company's own identity provider are held to its MFA instead). A
 * machine client's come from the stack's declaration of that client; an undeclared client gets none.
 */
export async function tokenClaimsFor(event: PreTokenGenerationEvent, deps: TokenClaimsDeps): Promise<TokenClaims> {
  if (event.triggerSource === 'TokenGeneration_ClientCredentials') {
    const name = await deps.clientName(event.userPoolId, event.callerContext.clientId);
    const grant = name ? deps.machineClients[name] : undefined;
    return grant ? { businessId: grant.businessId, roles: onlyRoles(grant.roles) } : { roles: [] };
  }
  const attributes = event.request.userAttributes ?? {};
  const businessId = attributes[BUSINESS_ATTRIBUTE]?.trim() || undefined;
  const asked = onlyRoles(event.request.groupConfiguration?.groupsToOverride ?? []);
  const needsMfa = asked.filter((r) => MFA_ROLES.includes(r));
  const federated = attributes.identities !== undefined && attributes.identities !== '' && attributes.identities !== '[]';
  if (needsMfa.length === 0 || federated || !event.userName || (await deps.hasTotp(event.userPoolId, event.userName))) {
    return { ...(businessId ? { businessId } : {}), roles: asked };
  }
  return {
    ...(businessId ? { businessId } : {}),
    roles: asked.filter((r) => !needsMfa.includes(r)),
    withheld: { roles: needsMfa, reason: 'no_totp' },
  };
}

/** Cognito's version 2/3 response: the claims added to the access token (and the ID token, for people). */
export function tokenResponse(event: PreTokenGenerationEvent, claims: TokenClaims): Record<string, unknown> {
  const add: Record<string, string> = { [OPERATOR_CLAIMS.roles]: claims.roles.join(' ') };
  if (claims.businessId) add[OPERATOR_CLAIMS.businessId] = claims.businessId;
  const access = { claimsToAddOrOverride: add };
  if (event.triggerSource === 'TokenGeneration_ClientCredentials') {
    return { claimsAndScopeOverrideDetails: { accessTokenGeneration: access } };
  }
  return {
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: { claimsToAddOrOverride: add },
      accessTokenGeneration: access,
      // Groups withheld for want of TOTP are withheld from `cognito:groups` too.
      groupOverrideDetails: { groupsToOverride: claims.roles },
    },
  };
}

function onlyRoles(values: readonly string[]): OperatorRole[] {
  return [...new Set(values.filter((v): v is OperatorRole => (OPERATOR_ROLES as readonly string[]).includes(v)))];
}
