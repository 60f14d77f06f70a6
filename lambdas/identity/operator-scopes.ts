/**
 * The operator APIs' OAuth scopes: one Cognito resource server, one scope per API. API Gateway's
 * JWT authoriser refuses (403) a token that carries none of a route's scopes, before the Lambda runs.
 * People signing in to the console get all four; a business's own backend (client credentials)
 * gets only what it needs, usually `omnichannel/templates`.
 */
export const OPERATOR_RESOURCE_SERVER = 'omnichannel';

export const OPERATOR_SCOPES = {
  /** Conversations: list, read, reply, hand back, close. */
  agent: 'agent',
  /** Templates: list, sync, send. */
  templates: 'templates',
  /** Onboarding after Embedded Signup / Facebook Login for Business. */
  onboarding: 'onboarding',
  /** Business settings (bot flows and FAQ) and the audit trail. */
  admin: 'admin',
} as const;

export type OperatorScope = (typeof OPERATOR_SCOPES)[keyof typeof OPERATOR_SCOPES];

/** `omnichannel/agent`, as tokens carry it in `scope` and routes name it in AuthorizationScopes. */
export const fullScope = (scope: OperatorScope): string => `${OPERATOR_RESOURCE_SERVER}/${scope}`;

export const ALL_OPERATOR_SCOPES: readonly string[] = Object.values(OPERATOR_SCOPES).map(fullScope);

/** The token claims the operator APIs read (access tokens of the stack's Cognito user pool). */
export const OPERATOR_CLAIMS = {
  /** The business the token acts for; added by the pre token generation trigger. */
  businessId: 'business_id',
  /** Space-separated roles; added by the trigger (a person's Cognito groups, or a machine client's registered roles). */
  roles: 'roles',
  /** A person's Cognito groups; read when `roles` is absent. */
  groups: 'cognito:groups',
  subject: 'sub',
  clientId: 'client_id',
  username: 'username',
  scope: 'scope',
} as const;
