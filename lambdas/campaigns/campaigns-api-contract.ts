/**
 * The campaigns admin API (scope `omnichannel/admin`). Reads (`campaigns.read`): supervisors,
 * admins, the platform team; writes (`campaigns.write`): admins and the platform team. A platform
 * operator names the business with `?businessId=`; anyone else acts on their own business and may
 * name only that one. Campaign ids are in the query (`?id=`). docs/campaigns.md § Admin API.
 */
export const CAMPAIGNS_ROUTES = {
  /** ?limit=&cursor= → { items: Campaign[], cursor? } newest first */
  list: { method: 'GET', path: '/admin/campaigns' },
  /** CampaignInput → 201 Campaign (a draft; a CSV audience is parsed and checked now: 400 with the bad lines) */
  create: { method: 'POST', path: '/admin/campaigns' },
  /** ?id= → Campaign */
  get: { method: 'GET', path: '/admin/campaigns/get' },
  /** ?id= { expectedVersion, ...CampaignInput } → Campaign (drafts only) */
  update: { method: 'PUT', path: '/admin/campaigns/get' },
  /** ?id= → { count, skipped: { reason: n }, sample: [{ waId (masked), variables }] } who it would reach, without scheduling */
  preview: { method: 'GET', path: '/admin/campaigns/preview' },
  /** ?id= { expectedVersion } → Campaign (scheduled; the recipient list is built now) */
  schedule: { method: 'POST', path: '/admin/campaigns/schedule' },
  /** ?id= { expectedVersion } → Campaign (paused by an operator) */
  pause: { method: 'POST', path: '/admin/campaigns/pause' },
  /** ?id= { expectedVersion } → Campaign (running again; refused with the reason while the cause of a self-pause holds) */
  resume: { method: 'POST', path: '/admin/campaigns/resume' },
  /** ?id= { expectedVersion } → Campaign (cancelled; nothing more is released) */
  cancel: { method: 'POST', path: '/admin/campaigns/cancel' },
  /** ?id=&state=&limit=&cursor= → { items: CampaignRecipient[] (wa_id masked for supervisors), cursor? } */
  recipients: { method: 'GET', path: '/admin/campaigns/recipients' },
} as const;

export type CampaignsRoute = (typeof CAMPAIGNS_ROUTES)[keyof typeof CAMPAIGNS_ROUTES];
