import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { getChannelAccount } from '#lambdas/accounts/channel-account';
import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import type { CampaignLookups } from '#lambdas/campaigns/campaign-admin-deps';
import type { SendingAccount } from '#lambdas/campaigns/campaign-release-decision';
import type { ReleaseSources } from '#lambdas/campaigns/campaign-release-sources';
import { queryWabaTemplates } from '#lambdas/templates/query-waba-templates';
import { storedTemplateOf, templateKey, templateSk } from '#lambdas/templates/template-item';

// The campaigns' reads of the channel account registry and the stored templates: the admin API's
// lookups and the release loop's sources.

/** Registry and template reads from the table (strongly consistent: an admin acts on what just changed). */
export function dynamoCampaignLookups(deps: { db: DocumentClient; tableName: string }): CampaignLookups {
  return {
    account: (accountId) => getChannelAccount(deps.db, deps.tableName, accountId, { consistentRead: true }),
    async template(wabaId, name, language) {
      const out = await deps.db.send(new GetCommand({ TableName: deps.tableName, Key: templateKey(wabaId, name, language), ConsistentRead: true }));
      return storedTemplateOf(out.Item);
    },
    async templateLanguages(wabaId, name) {
      const languages: string[] = [];
      for await (const item of queryWabaTemplates(deps, wabaId, ['language', 'status'], templateSk(name, ''))) {
        if (item.status !== 'DELETED' && languages.length < 50) languages.push(String(item.language));
      }
      return languages;
    },
  };
}

/**
 * Read on every tick, strongly consistent: a quality drop or a paused template written a moment
 * ago must stop the next tick, not one a minute later.
 */
export function dynamoReleaseSources(deps: { db: DocumentClient; tableName: string }): ReleaseSources {
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
