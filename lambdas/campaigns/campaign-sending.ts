import { isServing, type ChannelAccount } from '#lambdas/accounts/channel-account';
import type { CampaignAdminDeps } from '#lambdas/campaigns/campaign-admin-deps';
import type { Campaign, CampaignInput, ContactsAudience, PauseReason } from '#lambdas/campaigns/campaign-model';
import { campaignParameters, headerMediaKind } from '#lambdas/campaigns/campaign-variables';
import { pauseCauseOf } from '#lambdas/campaigns/campaign-release-decision';
import type { TemplateCategory } from '#lambdas/outbound/send-rules';
import type { StoredTemplate } from '#lambdas/templates/template-item';
import { CampaignRequestError } from '#lambdas/campaigns/errors';

export interface SendingSetup {
  account: ChannelAccount & Record<string, unknown>;
  wabaId: string;
  template: StoredTemplate;
  category: TemplateCategory;
}

const CATEGORIES: Record<string, TemplateCategory> = { MARKETING: 'marketing', UTILITY: 'utility', AUTHENTICATION: 'authentication' };

/**
 * The template's category as consent reads it. One Meta has not told us (a template known from a
 * webhook only) is taken as marketing: in doubt, a recorded opt-in is required.
 */
export function categoryOf(template: Pick<StoredTemplate, 'category'>): TemplateCategory {
  return CATEGORIES[(template.category ?? '').toUpperCase()] ?? 'marketing';
}

/**
 * The number and template a campaign sends with, checked: the number is one of the business's
 * WhatsApp numbers and serving (404 / 409), the template exists in that language under the
 * number's WhatsApp Business Account (404, naming the languages it has) and is APPROVED with its
 * components synchronised (409), and a media header has the campaign's link (400). Another
 * business's number is answered like an unknown one.
 */
export async function sendingSetup(
  deps: Pick<CampaignAdminDeps, 'lookups'>,
  businessId: string,
  input: Pick<CampaignInput, 'accountId' | 'template'>,
): Promise<SendingSetup> {
  const account = await deps.lookups.account(input.accountId);
  if (!account || account.businessId !== businessId || account.channel !== 'whatsapp') {
    throw new CampaignRequestError(404, 'account_not_found', 'No WhatsApp number with that phone number id in your business');
  }
  if (!isServing(account)) throw new CampaignRequestError(409, 'account_not_serving', `The number is ${account.status}; it sends nothing`);
  if (!account.wabaId)
    throw new CampaignRequestError(409, 'account_not_serving', 'The number has no WhatsApp Business Account on record; finish its onboarding first');
  const { name, language } = input.template;
  const template = await deps.lookups.template(account.wabaId, name, language);
  if (!template || template.status === 'DELETED') {
    const languages = await deps.lookups.templateLanguages(account.wabaId, name);
    throw new CampaignRequestError(
      404,
      'template_not_found',
      languages.length > 0
        ? `Template ${name} has no ${language} translation (it has ${languages.join(', ')})`
        : `No template named ${name} for this number; sync the account's templates if it was created recently`,
    );
  }
  if (template.status !== 'APPROVED') {
    throw new CampaignRequestError(409, 'template_not_approved', `Template ${name} (${language}) is ${template.status}, not APPROVED`, {
      templateStatus: template.status,
    });
  }
  if (template.components.length === 0) {
    throw new CampaignRequestError(
      409,
      'template_needs_sync',
      `Template ${name} (${language}) is known from a webhook only; sync the account's templates first`,
    );
  }
  const media = headerMediaKind(template);
  if (media === 'location') throw new CampaignRequestError(400, 'invalid_request', 'template: campaigns cannot send templates with a location header');
  if (media && !input.template.headerMediaLink) {
    throw new CampaignRequestError(
      400,
      'invalid_request',
      `template.headerMediaLink: the template's header is ${media === 'image' ? 'an' : 'a'} ${media}; give a public https link to it`,
    );
  }
  if (!media && input.template.headerMediaLink)
    throw new CampaignRequestError(400, 'invalid_request', "template.headerMediaLink: the template's header takes no media");
  return { account, wabaId: account.wabaId, template, category: categoryOf(template) };
}

/**
 * A contacts audience names a source for every template variable (campaign-variables.ts names)
 * and for nothing else.
 */
export function checkVariableSources(template: StoredTemplate, audience: ContactsAudience): void {
  const expected = campaignParameters(template).map((p) => p.name);
  const given = Object.keys(audience.variables ?? {});
  const missing = expected.filter((n) => !given.includes(n));
  if (missing.length > 0) {
    throw new CampaignRequestError(
      400,
      'invalid_request',
      `audience.variables: the template needs a source for ${missing.map((m) => `"${m}"`).join(', ')} (a contact field, an attribute or a text)`,
    );
  }
  const extra = given.find((n) => !expected.includes(n));
  if (extra !== undefined) {
    throw new CampaignRequestError(
      400,
      'invalid_request',
      `audience.variables: the template has no variable "${extra.slice(0, 64)}"${expected.length > 0 ? ` (it has ${expected.map((e) => `"${e}"`).join(', ')})` : ' (it has none)'}`,
    );
  }
}

const CAUSE_MESSAGES: Record<PauseReason, string> = {
  operator: 'An operator paused it',
  quality_red: "The number's quality rating is RED (Meta flagged it); sending more marketing now would risk the number. Wait until the rating recovers",
  template_paused: 'Meta paused the template (or it is under review); it can be sent again once Meta lifts the pause',
  template_disabled: 'The template is disabled or no longer approved; a campaign with another template is needed',
  account_not_serving: 'The number is not serving (restricted, disabled or waiting for a new token)',
  budget_exhausted: "This month's Meta budget is spent; raise the budget or wait for next month",
};

/**
 * What would stop the campaign sending now (the release loop's own reading, campaign-release-decision.ts),
 * as a 409 the operator can read; nothing when it may go.
 */
export async function refuseWhilePauseCauseHolds(
  deps: Pick<CampaignAdminDeps, 'budget'>,
  businessId: string,
  standing: { account: (ChannelAccount & Record<string, unknown>) | undefined; template: Pick<StoredTemplate, 'status'> | undefined },
  now: Date,
): Promise<void> {
  const budget = deps.budget ? await deps.budget.standing(businessId, now) : undefined;
  const account = standing.account && standing.account.businessId === businessId ? standing.account : undefined;
  const cause = pauseCauseOf({ account, template: standing.template ? { status: standing.template.status } : undefined, budget });
  if (cause) throw new CampaignRequestError(409, cause, CAUSE_MESSAGES[cause], { cause });
}

/** The number and template of a stored campaign as they are now, unchecked (resume reads the causes from them). */
export async function currentStanding(deps: Pick<CampaignAdminDeps, 'lookups'>, campaign: Pick<Campaign, 'accountId' | 'template'>) {
  const account = await deps.lookups.account(campaign.accountId);
  const template = account?.wabaId ? await deps.lookups.template(account.wabaId, campaign.template.name, campaign.template.language) : undefined;
  return { account, template };
}
