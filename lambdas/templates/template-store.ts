import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { wabaPk } from '#lambdas/accounts/channel-account';
import { conditionalWrite, isConditionalCheckFailed, type DocumentClient } from '#lambdas/adapters/dynamodb';
import { accountPk } from '#lambdas/conversation/table-keys';
import type { OutboundMessageItem } from '#lambdas/outbound/outbound-message';
import { storedTemplateOf, TEMPLATE_SK_PREFIX, TEMPLATE_SYNC_SK, templateKey, type StoredTemplate } from '#lambdas/templates/template-item';

/**
 * The WABA's templates in the table (items and keys described in template-item.ts): the sync's
 * upserts, the webhooks' status, category and quality news (each only replaced by news at least as
 * recent), the sync's own state item, and the Message item a template send starts from.
 */
export interface TemplateStore {
  /**
   * Every Template item of a WABA (one partition, sort keys `TEMPLATE#…`), page by page, with only
   * the attributes asked for. A WABA holds at most a few thousand templates, so reading its
   * partition is the cheap way to list them or find one by Meta's id.
   */
  templatesOfWaba(wabaId: string, attributes: readonly string[], skPrefix?: string): AsyncGenerator<Record<string, unknown>>;
  /** One template as a send is checked against it (consistent read); `undefined` when absent or not a template. */
  findTemplate(wabaId: string, name: string, language: string): Promise<StoredTemplate | undefined>;
  /**
   * A template as Meta listed it: `definition` (what the template is) always; `news` (status,
   * category, quality) too unless a webhook newer than `syncedAt` already set them. Removes `remove`.
   */
  upsertListed(key: TemplateKey, definition: Record<string, unknown>, news: Record<string, unknown>, remove: string[], syncedAt: string): Promise<void>;
  /** A stored template Meta no longer lists becomes `DELETED`, unless it changed after `syncedAt`; false then. */
  markDeleted(key: TemplateKey, syncedAt: string): Promise<boolean>;
  /** Sets fields of the WABA's sync state item (`WABA#<waba>` / `TEMPLATESYNC`). */
  recordSyncState(wabaId: string, fields: Record<string, unknown>): Promise<void>;
  /** The stored notification (`ACCT#<account>` / `NOTE#<event id>`), read consistently. */
  notification(accountId: string, eventId: string): Promise<Record<string, unknown> | undefined>;
  /**
   * One aspect's news on a template (created minimal, `needsSync`, when never synced), only when
   * not older than the news already there; `stale` otherwise, `created` when the item was new.
   */
  applyNews(target: TemplateTarget, news: TemplateNews): Promise<'created' | 'updated' | 'stale'>;
  /** The outbound Message item of a template send, written once: false when the request was seen before. */
  addTemplateMessage(item: OutboundMessageItem): Promise<boolean>;
}

export type TemplateKey = { pk: string; sk: string };

export interface TemplateTarget {
  wabaId: string;
  name: string;
  language: string;
  templateId?: string;
}

export interface TemplateNews {
  /** The attribute holding the time of the news this aspect came from. */
  timeAttribute: 'statusUpdatedAt' | 'categoryUpdatedAt' | 'qualityUpdatedAt';
  at: string;
  set: Record<string, string>;
  remove: string[];
}

export function createTemplateStore(db: DocumentClient, tableName: string): TemplateStore {
  async function update(
    key: TemplateKey,
    fields: Record<string, unknown>,
    remove: string[] = [],
    condition?: { condition: string; values: Record<string, unknown> },
  ): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ...condition?.values };
    const sets = Object.entries(fields).map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:f${i}`] = v;
      return `#f${i} = :f${i}`;
    });
    const removes = remove.map((k, i) => {
      names[`#r${i}`] = k;
      return `#r${i}`;
    });
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ...(condition ? { ConditionExpression: condition.condition } : {}),
      }),
    );
  }

  return {
    async *templatesOfWaba(wabaId, attributes, skPrefix = TEMPLATE_SK_PREFIX) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': wabaPk(wabaId), ':prefix': skPrefix },
            ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
            ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a])),
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        yield* page.Items ?? [];
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    },

    async findTemplate(wabaId, name, language) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: templateKey(wabaId, name, language), ConsistentRead: true }));
      return storedTemplateOf(out.Item);
    },

    async upsertListed(key, definition, news, remove, syncedAt) {
      try {
        await update(key, { ...definition, ...news }, remove, {
          condition:
            '(attribute_not_exists(statusUpdatedAt) OR statusUpdatedAt <= :syncedAt) AND (attribute_not_exists(categoryUpdatedAt) OR categoryUpdatedAt <= :syncedAt)',
          values: { ':syncedAt': syncedAt },
        });
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
        // A webhook newer than this listing arrived meanwhile: its status and category stand.
        await update(key, definition, remove);
      }
    },

    markDeleted(key, syncedAt) {
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET #status = :deleted, statusUpdatedAt = :at, deletedAt = :at, syncedAt = :at',
            // A template created after this listing was read (a webhook or a newer sync wrote it) stays.
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(statusUpdatedAt) OR statusUpdatedAt <= :at)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':deleted': 'DELETED', ':at': syncedAt },
          }),
        ),
      );
    },

    recordSyncState(wabaId, fields) {
      return update({ pk: wabaPk(wabaId), sk: TEMPLATE_SYNC_SK }, { entity: 'TemplateSync', wabaId, ...fields });
    },

    async notification(accountId, eventId) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: { pk: accountPk(accountId), sk: `NOTE#${eventId}` }, ConsistentRead: true }));
      return out.Item;
    },

    async applyNews(target, news) {
      const names: Record<string, string> = { '#at': news.timeAttribute };
      const values: Record<string, unknown> = {
        ':at': news.at,
        ':entity': 'Template',
        ':waba': target.wabaId,
        ':name': target.name,
        ':lang': target.language,
        ':true': true,
      };
      const sets = Object.entries(news.set).map(([k, v], i) => {
        names[`#s${i}`] = k;
        values[`:s${i}`] = v;
        return `#s${i} = :s${i}`;
      });
      const removes = news.remove.map((k, i) => {
        names[`#r${i}`] = k;
        return `#r${i}`;
      });
      if (target.templateId) {
        names['#tid'] = 'templateId';
        values[':tid'] = target.templateId;
      }
      try {
        const out = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: templateKey(target.wabaId, target.name, target.language),
            UpdateExpression:
              `SET ${sets.join(', ')}, #at = :at, entity = :entity, wabaId = :waba, #name = :name, #language = :lang, ` +
              `needsSync = if_not_exists(needsSync, :true)${target.templateId ? ', #tid = if_not_exists(#tid, :tid)' : ''}` +
              (removes.length ? ` REMOVE ${removes.join(', ')}` : ''),
            // Equal times are the same news again (or news of the same second, in Meta's order).
            ConditionExpression: 'attribute_not_exists(#at) OR #at <= :at',
            ExpressionAttributeNames: { ...names, '#name': 'name', '#language': 'language' },
            ExpressionAttributeValues: values,
            ReturnValues: 'UPDATED_OLD',
          }),
        );
        return out.Attributes?.entity === undefined ? 'created' : 'updated';
      } catch (err) {
        if (isConditionalCheckFailed(err)) return 'stale';
        throw err;
      }
    },

    addTemplateMessage(item) {
      return conditionalWrite(db.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })));
    },
  };
}
