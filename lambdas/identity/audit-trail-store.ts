import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import type { OperatorAction } from '#lambdas/identity/audit-trail';

/**
 * The operators' audit trail in the table: one item per operator request and business it concerns.
 *
 *   pk                    sk                         entity
 *   AUDIT#<business id>   <ISO time>#<request id>    OperatorAction   (expires with the retention policy)
 */
export const auditPk = (businessId: string) => `AUDIT#${businessId}`;
export const auditSk = (action: Pick<OperatorAction, 'at' | 'requestId'>) => `${action.at}#${action.requestId}`;

export interface AuditTrailStore {
  /** Keeps the action under one business, until `expiresAt` (epoch seconds). */
  record(businessId: string, action: OperatorAction, expiresAt: number): Promise<void>;
  /** A business's actions, newest first, `limit` at a time; `afterSk` is the last sort key of the previous page. */
  newestFirst(businessId: string, page: { limit: number; afterSk?: string }): Promise<{ actions: OperatorAction[]; lastSk?: string }>;
}

export function createAuditTrailStore(db: DocumentClient, tableName: string): AuditTrailStore {
  return {
    async record(businessId, action, expiresAt) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: auditPk(businessId), sk: auditSk(action), entity: 'OperatorAction', ...action, expiresAt },
        }),
      );
    },
    async newestFirst(businessId, page) {
      const out = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': auditPk(businessId) },
          ScanIndexForward: false,
          Limit: page.limit,
          ...(page.afterSk ? { ExclusiveStartKey: { pk: auditPk(businessId), sk: page.afterSk } } : {}),
        }),
      );
      const actions = (out.Items ?? []).map(({ pk: _pk, sk: _sk, entity: _e, expiresAt: _x, ...rest }) => rest as unknown as OperatorAction);
      const last = out.LastEvaluatedKey?.sk;
      return { actions, ...(typeof last === 'string' ? { lastSk: last } : {}) };
    },
  };
}
