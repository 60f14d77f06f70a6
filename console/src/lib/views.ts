/**
 * Which screens a person may open, from the roles in their token: agent ⊂ supervisor ⊂ admin.
 * The platform team (other businesses' support) has no agent workspace of its own but may look at
 * queues and routing. The API checks every call again; this only decides what is shown.
 */
export const VIEWS = ['agent', 'supervisor', 'admin', 'campaigns', 'spend'] as const;
export type ViewName = (typeof VIEWS)[number];

export const ADMIN_SECTIONS = ['agents', 'queues', 'rules', 'macros', 'bot', 'accounts', 'templates', 'contacts', 'integrations', 'audit'] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

/** Campaigns and Meta spend: supervisors read them (`campaigns.read`, `spend.read`), admins change them. */
const ROLE_VIEWS: Record<string, readonly ViewName[]> = {
  agent: ['agent'],
  supervisor: ['agent', 'supervisor', 'campaigns', 'spend'],
  admin: ['agent', 'supervisor', 'admin', 'campaigns', 'spend'],
  platform: ['supervisor', 'admin', 'campaigns', 'spend'],
};

export function allowedViews(roles: readonly unknown[]): ViewName[] {
  const allowed = new Set<ViewName>();
  for (const role of roles) if (typeof role === 'string') for (const v of ROLE_VIEWS[role] ?? []) allowed.add(v);
  return VIEWS.filter((v) => allowed.has(v));
}

export interface Route {
  view?: ViewName;
  /** The open conversation (agent view). */
  conversationKey?: string;
  /** The admin view's section. */
  section?: AdminSection;
  /** The open campaign (campaigns view). */
  campaignId?: string;
}

const CAMPAIGN_ID = /^cmp_[A-Za-z0-9]{1,40}$/;

/** `#/agent`, `#/agent/c/<key>`, `#/supervisor`, `#/admin/queues`. Anything else: no view named. */
export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  const view = VIEWS.find((v) => v === parts[0]);
  if (!view) return {};
  if (view === 'agent' && parts[1] === 'c' && parts[2]) {
    try {
      const key = decodeURIComponent(parts[2]);
      if (key.length > 0 && key.length <= 1000) return { view, conversationKey: key };
    } catch {
      /* a malformed key opens the plain list */
    }
    return { view };
  }
  if (view === 'admin') {
    const section = ADMIN_SECTIONS.find((s) => s === parts[1]);
    return section ? { view, section } : { view };
  }
  if (view === 'campaigns' && parts[1] && CAMPAIGN_ID.test(parts[1])) return { view, campaignId: parts[1] };
  return { view };
}

export function hashFor(route: Route): string {
  if (!route.view) return '#/';
  if (route.view === 'agent' && route.conversationKey) return `#/agent/c/${encodeURIComponent(route.conversationKey)}`;
  if (route.view === 'admin' && route.section) return `#/admin/${route.section}`;
  if (route.view === 'campaigns' && route.campaignId && CAMPAIGN_ID.test(route.campaignId)) return `#/campaigns/${route.campaignId}`;
  return `#/${route.view}`;
}

/** The route to show: the one asked for if the roles allow it, else the first allowed view. */
export function resolveRoute(hash: string, roles: readonly unknown[]): Route {
  const allowed = allowedViews(roles);
  const asked = parseHash(hash);
  if (asked.view && allowed.includes(asked.view)) return asked;
  return allowed[0] ? { view: allowed[0] } : {};
}
