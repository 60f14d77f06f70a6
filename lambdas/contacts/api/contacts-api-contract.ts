/**
 * The contacts routes of the operator APIs, shared by the Lambdas, the CDK constructs and the
 * console. The contact is named in the path (`{contactId}`), a conversation by its key
 * (`{key}`, URL-encoded: it holds `:`); bodies carry the change only.
 *
 * A `platform` operator names the business (`businessId` in the query or body); anyone else acts
 * on their own business and may name only that one. Another business's contact is not found (404).
 * Refusals are `{ error, message }` (400 bad input, 403 role, 404, 409 conflict).
 */

/** On the human-agent API (scope `omnichannel/agent`). */
export const CONTACTS_AGENT_ROUTES = {
  /** ?q=<name or phone prefix>&limit= → { items: ContactSummary[] } */
  search: { method: 'GET', path: '/agent/contacts' },
  /** → ContactView (a merged-away contact answers with its survivor and `redirectedFrom`) */
  read: { method: 'GET', path: '/agent/contacts/{contactId}' },
  /** → ContactView of the conversation's contact */
  ofConversation: { method: 'GET', path: '/agent/conversations/{key}/contact' },
  /** { name, expectedVersion? } → ContactView */
  rename: { method: 'PATCH', path: '/agent/contacts/{contactId}' },
  /** { add?: string[], remove?: string[] } → ContactView */
  tags: { method: 'PUT', path: '/agent/contacts/{contactId}/tags' },
  /** { attributes: { key: value | null }, expectedVersion? } → ContactView (null removes) */
  attributes: { method: 'PATCH', path: '/agent/contacts/{contactId}/attributes' },
  /** { otherContactId, expectedVersion?, reason? } → ContactView of the survivor (`contactId`) with `mergeId` */
  merge: { method: 'POST', path: '/agent/contacts/{contactId}/merge' },
  /** { mergeId } → { survivor: ContactView, restored: ContactView } */
  unmerge: { method: 'POST', path: '/agent/contacts/{contactId}/unmerge' },
  /** { kind, value, accountId? } → ContactView; 409 identity_taken { ownerContactId } when another contact has it (merge instead) */
  linkIdentity: { method: 'POST', path: '/agent/contacts/{contactId}/identities' },
  /** { channel, status, evidenceText } → ContactView (source `operator`, recorded by the caller) */
  consent: { method: 'POST', path: '/agent/contacts/{contactId}/consent' },
} as const;

/** On the admin API (scope `omnichannel/admin`). */
export const CONTACTS_ADMIN_ROUTES = {
  /** ?businessId= → { attributes: AttributeDefinition[], version, updatedAt? } */
  getSchema: { method: 'GET', path: '/admin/contacts/schema' },
  /** { attributes, expectedVersion } → the saved schema; 409 changed_meanwhile when someone saved first */
  putSchema: { method: 'PUT', path: '/admin/contacts/schema' },
} as const;

/** A route's path with its variables filled in (each URL-encoded): `contactPath(R.tags, { contactId })`. */
export function contactPath(route: { path: string }, params: Record<string, string>): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

/**
 * The route a request's method and path match, with its path variables; undefined for any other.
 * Variables are one path segment each, as API Gateway matches them; one that is not valid
 * URL-encoding is left undecoded (and then fails its own check).
 */
export function matchContactRoute<R extends { method: string; path: string }>(
  routes: readonly R[],
  method: string,
  path: string,
): { route: R; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const names: string[] = [];
    const pattern = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const m = new RegExp(`^${pattern}$`).exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      const raw = m[i + 1]!;
      try {
        params[name] = decodeURIComponent(raw);
      } catch {
        params[name] = raw;
      }
    });
    return { route, params };
  }
  return undefined;
}
