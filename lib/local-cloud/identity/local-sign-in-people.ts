import type { OperatorRole } from '#lambdas/identity/operator-identity';
import { DEMO_AGENTS } from '#lib/local-cloud/demo-routing';
import { LOCAL_BUSINESS_ID } from '#lib/operations/operator-token';

/** A person the local sign-in page offers: what a Cognito user with `custom:business_id` and groups is in AWS. */
export interface LocalSignInPerson {
  /** The Cognito username: the token's `sub` and `username`, the routing agent's id. */
  subject: string;
  name: string;
  businessId: string;
  roles: OperatorRole[];
  /** What the page says about them, e.g. "Spanish and Portuguese, VIP queue". */
  description?: string;
}

const LANGUAGE_NAMES: Record<string, string> = { es: 'Spanish', pt: 'Portuguese', en: 'English' };

/**
 * The people of the local demo business (its agents, supervisor and admin, as the demo routing
 * seeds them) and one person of another business, so that anyone can see a second business's
 * console show none of the first one's conversations.
 */
export const DEFAULT_SIGN_IN_PEOPLE: readonly LocalSignInPerson[] = [
  // The demo routing's agents (lib/local-cloud/demo-routing.ts): their subject is their agent id.
  ...DEMO_AGENTS.map((a) => ({
    subject: a.agentId,
    name: a.name,
    businessId: LOCAL_BUSINESS_ID,
    roles: ['agent' as const],
    description: `Agent: ${a.languages.map((l) => LANGUAGE_NAMES[l] ?? l).join(', ')}`,
  })),
  { subject: 'sofia', name: 'Sofía Martín', businessId: LOCAL_BUSINESS_ID, roles: ['supervisor'], description: 'Supervisor' },
  { subject: 'admin', name: 'Alex Admin', businessId: LOCAL_BUSINESS_ID, roles: ['admin'], description: 'Admin' },
  { subject: 'otto', name: 'Otto Other', businessId: 'other-business', roles: ['admin'], description: 'Admin of another business' },
];
