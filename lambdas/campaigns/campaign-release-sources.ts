import type { Campaign, PauseReason } from '#lambdas/campaigns/campaign-model';
import { pauseCauseOf, type SendingAccount } from '#lambdas/campaigns/campaign-release-decision';
import type { BudgetGate } from '#lambdas/pricing/budget-ports';
import type { StoredTemplate } from '#lambdas/templates/template-item';

/** What the release loop reads besides the campaign: the sending number and the stored template (campaign-lookups-store.ts). */
export interface ReleaseSources {
  account(accountId: string): Promise<SendingAccount | undefined>;
  template(wabaId: string, name: string, language: string): Promise<StoredTemplate | undefined>;
}

/**
 * Why the campaign cannot send right now (quality RED, number not serving, template paused or
 * disabled, budget spent), or undefined. The release loop pauses on it; the resume API refuses to
 * resume while it holds.
 */
export async function currentPauseCause(
  campaign: Pick<Campaign, 'businessId' | 'accountId' | 'template'>,
  deps: { sources: ReleaseSources; budget: BudgetGate; now: Date },
): Promise<{ cause: PauseReason | undefined; account: SendingAccount | undefined; template: StoredTemplate | undefined }> {
  const account = await deps.sources.account(campaign.accountId);
  const template = account?.wabaId ? await deps.sources.template(account.wabaId, campaign.template.name, campaign.template.language) : undefined;
  const budget = await deps.budget.standing(campaign.businessId, deps.now);
  return { cause: pauseCauseOf({ account, template: template && template.status !== 'DELETED' ? template : undefined, budget }), account, template };
}
