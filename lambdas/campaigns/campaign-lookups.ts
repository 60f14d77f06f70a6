import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getChannelAccount } from '#lambdas/accounts/channel-account';
import type { CampaignLookups } from '#lambdas/campaigns/campaign-admin-deps';
import { queryWabaTemplates } from '#lambdas/templates/query-waba-templates';
import { storedTemplateOf, templateKey, templateSk } from '#lambdas/templates/template-item';

/** Registry and template reads from the table (strongly consistent: an admin acts on what just changed). */
export function dynamoCampaignLookups(deps: { db: DynamoDBDocumentClient; tableName: string }): CampaignLookups {
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
