import type { ChannelAccount } from '#lambdas/accounts/channel-account';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import type { CampaignStore } from '#lambdas/campaigns/campaign-ports';
import type { ContactStore } from '#lambdas/contacts/contact-ports';
import type { BudgetGate } from '#lambdas/pricing/budget-ports';
import type { StoredTemplate } from '#lambdas/templates/template-item';

/** The registry and template reads a campaign's definition is checked against (campaign-lookups.ts). */
export interface CampaignLookups {
  /** A registered channel account (any business: the caller checks the owner). */
  account(accountId: string): Promise<(ChannelAccount & Record<string, unknown>) | undefined>;
  /** The stored template of a WABA in one language. */
  template(wabaId: string, name: string, language: string): Promise<StoredTemplate | undefined>;
  /** The languages a template has under a WABA (for a helpful "not found"). */
  templateLanguages(wabaId: string, name: string): Promise<string[]>;
}

/** What the campaigns admin use cases need. */
export interface CampaignAdminDeps {
  store: CampaignStore;
  contacts: Pick<ContactStore, 'listPage' | 'findManyByIdentity'>;
  lookups: CampaignLookups;
  publisher: EventPublisher;
  /** The month's Meta budget: scheduling and resuming are refused once it is spent. Absent: not checked. */
  budget?: BudgetGate;
  now?: () => Date;
  newCampaignId?: () => string;
}
