import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import { campaignSk, campaignsPk } from '#lambdas/campaigns/campaign-keys';
import { BUDGET_SK, resolvedMarkSk, spendMonthSk, spendPk } from '#lambdas/pricing/spend-keys';
import { monthSpendOf, type BudgetThreshold, type MonthSpend, type SpendDelta } from '#lambdas/pricing/spend-month';

/** A business's monthly budget for Meta's charges, in the rate card's currency. */
export interface SpendBudget {
  businessId: string;
  /** Millionths of a US dollar; absent when the business has no budget (any more). */
  monthlyBudgetMicros?: number;
  currency: 'USD';
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export type BudgetWrite = { ok: true; budget: SpendBudget } | { ok: false; currentVersion: number };

/** Persistence of spend (DynamoDB below; the use cases and the API talk to this). */
export interface SpendStore {
  /** Adds one priced message to its month and answers the month as it is after the add. */
  addToMonth(businessId: string, month: string, delta: SpendDelta, at: string, rateCardDate: string): Promise<MonthSpend>;
  /**
   * Marks a threshold as announced for the month at this budget. True for exactly one caller per
   * threshold, month and budget: a raised budget may be crossed (and announced) again.
   */
  claimThreshold(businessId: string, month: string, threshold: BudgetThreshold, budgetMicros: number, at: string): Promise<boolean>;
  /** Undoes a claim whose announcement could not be published, so the next charge announces it. */
  releaseThreshold(businessId: string, month: string, threshold: BudgetThreshold, at: string): Promise<void>;
  /** Adds to a campaign's `counts.spendMicros`; false when the campaign is not there. */
  addCampaignSpend(businessId: string, campaignId: string, micros: number): Promise<boolean>;
  /** Counts a resolved conversation once per conversation and end time; false for a repeat. */
  countResolved(businessId: string, month: string, conversationKey: string, at: string, expiresAt: number): Promise<boolean>;
  getMonth(businessId: string, month: string): Promise<MonthSpend | undefined>;
  getBudget(businessId: string): Promise<SpendBudget | undefined>;
  /** The budget and the month in one read. */
  budgetAndMonth(businessId: string, month: string): Promise<{ budget?: SpendBudget; month?: MonthSpend }>;
  /** Sets (a number) or removes (undefined) the budget; refused when `expectedVersion` is given and stale. */
  putBudget(businessId: string, monthlyBudgetMicros: number | undefined, by: { actor: string; at: string; expectedVersion?: number }): Promise<BudgetWrite>;
}

export function dynamoSpendStore(deps: { db: DynamoDBDocumentClient; tableName: string }): SpendStore {
  const { db, tableName: TableName } = deps;
  const monthKey = (businessId: string, month: string) => ({ pk: spendPk(businessId), sk: spendMonthSk(month) });
  const budgetKey = (businessId: string) => ({ pk: spendPk(businessId), sk: BUDGET_SK });
  const getBudget = async (businessId: string): Promise<SpendBudget | undefined> => {
    const out = await db.send(new GetCommand({ TableName, Key: budgetKey(businessId), ConsistentRead: true }));
    return out.Item ? budgetOf(out.Item, businessId) : undefined;
  };

  return {
    async addToMonth(businessId, month, delta, at, rateCardDate) {
      const names: Record<string, string> = { '#month': 'month' };
      const values: Record<string, unknown> = { ':entity': 'MonthSpend', ':business': businessId, ':month': month, ':at': at, ':card': rateCardDate };
      const adds = Object.entries(delta.adds).map(([name, amount], i) => {
        names[`#a${i}`] = name;
        values[`:a${i}`] = amount;
        return `#a${i} :a${i}`;
      });
      // One write per priced message: the item as it is after the add comes back with it (no read).
      const out = await db.send(
        new UpdateCommand({
          TableName,
          Key: monthKey(businessId, month),
          UpdateExpression: `SET entity = :entity, businessId = :business, #month = :month, updatedAt = :at, rateCardDate = :card ADD ${adds.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return monthSpendOf(out.Attributes ?? {}, { businessId, month });
    },

    async claimThreshold(businessId, month, threshold, budgetMicros, at) {
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: monthKey(businessId, month),
            UpdateExpression: 'SET #at = :at, #budget = :budget',
            // Crossed before only at a lower budget (raised since): this budget's crossing is news.
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#at) OR #budget < :budget)',
            ExpressionAttributeNames: { '#at': `crossed${threshold}At`, '#budget': `crossed${threshold}BudgetMicros` },
            ExpressionAttributeValues: { ':at': at, ':budget': budgetMicros },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionalCheckFailed(err)) return false;
        throw err;
      }
    },

    async releaseThreshold(businessId, month, threshold, at) {
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: monthKey(businessId, month),
            UpdateExpression: 'REMOVE #at, #budget',
            ConditionExpression: '#at = :at',
            ExpressionAttributeNames: { '#at': `crossed${threshold}At`, '#budget': `crossed${threshold}BudgetMicros` },
            ExpressionAttributeValues: { ':at': at },
          }),
        );
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
      }
    },

    async addCampaignSpend(businessId, campaignId, micros) {
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: { pk: campaignsPk(businessId), sk: campaignSk(campaignId) },
            UpdateExpression: 'ADD #counts.#spend :micros',
            // Never create a campaign item from a receipt: a deleted or unknown campaign is skipped.
            ConditionExpression: 'attribute_exists(pk) AND attribute_exists(#counts)',
            ExpressionAttributeNames: { '#counts': 'counts', '#spend': 'spendMicros' },
            ExpressionAttributeValues: { ':micros': micros },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionalCheckFailed(err)) return false;
        throw err;
      }
    },

    async countResolved(businessId, month, conversationKey, at, expiresAt) {
      const mark = { pk: spendPk(businessId), sk: resolvedMarkSk(month, conversationKey, at) };
      try {
        await db.send(new PutCommand({ TableName, Item: { ...mark, entity: 'ResolvedMark', expiresAt }, ConditionExpression: 'attribute_not_exists(pk)' }));
      } catch (err) {
        if (isConditionalCheckFailed(err)) return false;
        throw err;
      }
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: monthKey(businessId, month),
            UpdateExpression: 'SET entity = :entity, businessId = :business, #month = :month ADD resolvedCount :one',
            ExpressionAttributeNames: { '#month': 'month' },
            ExpressionAttributeValues: { ':entity': 'MonthSpend', ':business': businessId, ':month': month, ':one': 1 },
          }),
        );
      } catch (err) {
        // Without its count the mark would make the retry skip it: take the mark back, then retry.
        await db.send(new DeleteCommand({ TableName, Key: mark })).catch(() => undefined);
        throw err;
      }
      return true;
    },

    async getMonth(businessId, month) {
      const out = await db.send(new GetCommand({ TableName, Key: monthKey(businessId, month) }));
      return out.Item ? monthSpendOf(out.Item, { businessId, month }) : undefined;
    },

    getBudget,

    async budgetAndMonth(businessId, month) {
      let keys: Array<Record<string, string>> = [budgetKey(businessId), monthKey(businessId, month)];
      const found: Array<Record<string, unknown>> = [];
      // BatchGetItem may leave keys unprocessed under throttling: ask again for those.
      for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
        const out = await db.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: keys } } }));
        found.push(...(out.Responses?.[TableName] ?? []));
        keys = (out.UnprocessedKeys?.[TableName]?.Keys as Array<Record<string, string>> | undefined) ?? [];
        if (keys.length > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
      if (keys.length > 0) throw new Error('spend items not read: the table kept them unprocessed');
      const budgetItem = found.find((i) => i.sk === BUDGET_SK);
      const monthItem = found.find((i) => i.sk === spendMonthSk(month));
      return {
        ...(budgetItem ? { budget: budgetOf(budgetItem, businessId) } : {}),
        ...(monthItem ? { month: monthSpendOf(monthItem, { businessId, month }) } : {}),
      };
    },

    async putBudget(businessId, monthlyBudgetMicros, by) {
      const current = await getBudget(businessId);
      const version = current?.version ?? 0;
      if (by.expectedVersion !== undefined && by.expectedVersion !== version) return { ok: false, currentVersion: version };
      const budget: SpendBudget = {
        businessId,
        ...(monthlyBudgetMicros !== undefined ? { monthlyBudgetMicros } : {}),
        currency: 'USD',
        version: version + 1,
        updatedAt: by.at,
        updatedBy: by.actor.slice(0, 200),
      };
      try {
        await db.send(
          new PutCommand({
            TableName,
            Item: { ...budgetKey(businessId), entity: 'SpendBudget', ...budget },
            // Two saves from the same version: the second finds the version moved and is refused.
            ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :version',
            ...(version === 0 ? {} : { ExpressionAttributeValues: { ':version': version } }),
          }),
        );
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
        return { ok: false, currentVersion: (await getBudget(businessId))?.version ?? 0 };
      }
      return { ok: true, budget };
    },
  };
}

function budgetOf(item: Record<string, unknown>, businessId: string): SpendBudget {
  return {
    businessId,
    ...(typeof item.monthlyBudgetMicros === 'number' && item.monthlyBudgetMicros > 0 ? { monthlyBudgetMicros: item.monthlyBudgetMicros } : {}),
    currency: 'USD',
    version: typeof item.version === 'number' ? item.version : 0,
    updatedAt: typeof item.updatedAt === 'string' ? item.updatedAt : '',
    updatedBy: typeof item.updatedBy === 'string' ? item.updatedBy : '',
  };
}
