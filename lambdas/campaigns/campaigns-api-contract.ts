/**
 * The campaigns admin API (scope `omnichannel/admin`). Reads (`campaigns.read`): supervisors,
 * admins, the platform team; writes (`campaigns.write`): admins and the platform team. A platform
 * operator names the business with `?businessId=`; anyone else acts on their own business and may
 * name only that one. Campaign ids are in the query (`?id=`). docs/campaigns.md § Admin API.
 */
export const CAMPAIGNS_ROUTES = {
  /** ?limit=&cursor= → { items: Campaign[], cursor? } newest first */
  list: { method: 'GET', path: '/admin/campaigns' },
  /** CampaignInput → 201 Campaign (a draft; a CSV audience is parsed, checked (400 with the bad lines) and decided now; its list is written now up to 2,000 recipients, else in the background: `list.status` building → ready) */
  create: { method: 'POST', path: '/admin/campaigns' },
  /** ?id= → Campaign */
  get: { method: 'GET', path: '/admin/campaigns/get' },
  /** ?id= { expectedVersion, ...CampaignInput } → Campaign (drafts only) */
  update: { method: 'PUT', path: '/admin/campaigns/get' },
  /** ?id= → { count, skipped: { reason: n }, sample: [{ waId (masked), variables }] } who it would reach, without scheduling */
  preview: { method: 'GET', path: '/admin/campaigns/preview' },
  /** ?id= { expectedVersion } → Campaign (scheduled, answered at once; a contacts audience's list is built in the background: `list.status` building → ready, with the counts, or failed with the reason and the campaign back to draft) */
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
