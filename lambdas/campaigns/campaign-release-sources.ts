import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getChannelAccount } from '#lambdas/accounts/channel-account';
import type { Campaign, PauseReason } from '#lambdas/campaigns/campaign-model';
import { pauseCauseOf, type SendingAccount } from '#lambdas/campaigns/campaign-release-decision';
import type { BudgetGate } from '#lambdas/pricing/budget-ports';
import { storedTemplateOf, templateKey, type StoredTemplate } from '#lambdas/templates/template-item';

/** What the release loop reads besides the campaign: the sending number and the stored template. */
export interface ReleaseSources {
  account(accountId: string): Promise<SendingAccount | undefined>;
  template(wabaId: string, name: string, language: string): Promise<StoredTemplate | undefined>;
}

/**
 * Read on every tick, strongly consistent: a quality drop or a paused template written a moment
 * ago must stop the next tick, not one a minute later.
 */
export function dynamoReleaseSources(deps: { db: DynamoDBDocumentClient; tableName: string }): ReleaseSources {
  return {
    async account(accountId) {
      const account = await getChannelAccount(deps.db, deps.tableName, accountId, { consistentRead: true });
      return account as SendingAccount | undefined;
    },
    async template(wabaId, name, language) {
      const out = await deps.db.send(new GetCommand({ TableName: deps.tableName, Key: templateKey(wabaId, name, language), ConsistentRead: true }));
      return storedTemplateOf(out.Item);
    },
  };
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
