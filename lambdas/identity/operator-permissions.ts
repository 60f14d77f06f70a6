import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity, OperatorRole } from '#lambdas/identity/operator-identity';

/**
 * What each role may do. Roles nest: a supervisor can do what an agent can, an admin what a
 * supervisor can. `platform` belongs to the deployment's own operators: onboarding, the registry
 * and cross-business support; it is the only role that reaches other businesses.
 */
export type OperatorAction =
  | 'conversations.read'
  | 'conversations.act'
  | 'templates.read'
  | 'templates.send'
  | 'templates.sync'
  | 'onboarding.run'
  | 'onboarding.read'
  | 'settings.read'
  | 'settings.write'
  | 'audit.read'
  /** Set one's own presence, accept or decline one's own offers, read macros. */
  | 'workspace.use'
  /** Live queues and agents' presence and load. */
  | 'queues.monitor'
  /** Move a conversation to another agent or queue than one's own choice (supervisors). */
  | 'conversations.reassign'
  | 'routing.read'
  | 'routing.write'
  /** Read contacts (profile, identities, consent, attribution) and search them. */
  | 'contacts.read'
  /** Tag a contact, edit agent-editable attributes, link an identity, merge and unmerge. */
  | 'contacts.write'
  /** Define the business's custom contact attributes; edit any attribute. */
  | 'contacts.admin'
  | 'integrations.read'
  | 'integrations.write'
  | 'campaigns.read'
  | 'campaigns.write'
  | 'spend.read'
  | 'spend.write';

const IMPLIED: Record<OperatorRole, readonly OperatorRole[]> = {
  agent: ['agent'],
  supervisor: ['supervisor', 'agent'],
  admin: ['admin', 'supervisor', 'agent'],
  platform: ['platform'],
};

export const ACTION_ROLES: Record<OperatorAction, readonly OperatorRole[]> = {
  'conversations.read': ['agent', 'platform'],
  'conversations.act': ['agent', 'platform'],
  'templates.read': ['agent', 'platform'],
  'templates.send': ['agent', 'platform'],
  'templates.sync': ['admin', 'platform'],
  'onboarding.run': ['admin', 'platform'],
  'onboarding.read': ['admin', 'platform'],
  'settings.read': ['supervisor', 'platform'],
  'settings.write': ['admin', 'platform'],
  'audit.read': ['admin', 'platform'],
  'workspace.use': ['agent'],
  'queues.monitor': ['supervisor', 'platform'],
  'conversations.reassign': ['supervisor', 'platform'],
  'routing.read': ['supervisor', 'platform'],
  'routing.write': ['admin', 'platform'],
  'contacts.read': ['agent', 'platform'],
  'contacts.write': ['agent', 'platform'],
  'contacts.admin': ['admin', 'platform'],
  'integrations.read': ['admin', 'platform'],
  'integrations.write': ['admin', 'platform'],
  'campaigns.read': ['supervisor', 'platform'],
  'campaigns.write': ['admin', 'platform'],
  'spend.read': ['supervisor', 'platform'],
  'spend.write': ['admin', 'platform'],
};

export function effectiveRoles(identity: Pick<OperatorIdentity, 'roles'>): Set<OperatorRole> {
  return new Set(identity.roles.flatMap((r) => IMPLIED[r]));
}

export function mayDo(identity: Pick<OperatorIdentity, 'roles'>, action: OperatorAction): boolean {
  const roles = effectiveRoles(identity);
  return ACTION_ROLES[action].some((r) => roles.has(r));
}

/** 403 unless one of the caller's roles allows the action. */
export function requireAction(identity: OperatorIdentity, action: OperatorAction): void {
  if (!mayDo(identity, action)) {
    throw new OperatorRequestError(403, 'forbidden', `Your roles (${identity.roles.join(', ') || 'none'}) do not allow ${action}`);
  }
}

export function isPlatform(identity: Pick<OperatorIdentity, 'roles'>): boolean {
  return identity.roles.includes('platform');
}

/**
 * The target belongs to the caller's business (or the caller is `platform`). A target of another
 * business, or one that does not exist, is answered the same way (404), so that a caller cannot
 * learn which ids other businesses use.
 */
export function requireOwnTarget(identity: OperatorIdentity, ownerBusinessId: string | undefined, what: string): void {
  if (ownerBusinessId !== undefined && (ownerBusinessId === identity.businessId || isPlatform(identity))) return;
  throw new OperatorRequestError(404, `${what}_not_found`, `No ${what.replace(/_/g, ' ')} with that id in your business`);
}

/**
 * A business the caller names in a request (onboarding into a business): its own, unless `platform`.
 * Naming another business is not a lookup of something private, so it is a plain 403.
 */
export function requireActsFor(identity: OperatorIdentity, businessId: string): void {
  if (businessId === identity.businessId || isPlatform(identity)) return;
  throw new OperatorRequestError(403, 'other_business', 'You may act only for your own business');
}
