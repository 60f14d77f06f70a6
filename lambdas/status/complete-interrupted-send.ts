import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from '#lambdas/adapters/dynamodb';
import type { StatusEvent } from '#lambdas/conversation/model';
import { conversationPk, messageSk, PROVIDER_ID_SK, providerIdPk } from '#lambdas/conversation/table-keys';
import { STATUS_RANK } from '#lambdas/status/status-rank';

export interface CompleteSendDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * Every WhatsApp send carries our outbound id as `biz_opaque_callback_data`, and Meta returns it in
 * each status webhook of the message. A receipt for a provider id we do not know, naming a reply of
 * its own conversation that is still `sending` without a provider id, is Meta's word that it
 * accepted a send whose record was lost (the sender stopped between Meta's answer and its own
 * write). The receipt then records the send as the sender would have: the provider-id pointer,
 * and the message `sent` with that id at the time Meta reports.
 *
 * Returns whether the message is now known under the receipt's provider id. Both writes are
 * conditional, so a sender finishing at the same moment and this agree on the same result.
 */
export async function completeInterruptedSend(event: StatusEvent, deps: CompleteSendDeps): Promise<boolean> {
  const outboundId = event.bizOpaqueCallbackData;
  const providerMessageId = event.providerMessageId;
  // Our ids: replies (`out_…`) and campaign messages (`cmp.…`, campaigns/campaign-keys.ts).
  if (event.channel !== 'whatsapp' || !outboundId || !providerMessageId || !(outboundId.startsWith('out_') || outboundId.startsWith('cmp.'))) return false;
  const key = { pk: conversationPk(event.conversationKey), sk: messageSk(outboundId) };
  const current = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: key,
      ProjectionExpression: 'direction, #status, providerMessageId, expiresAt, releasedByWatchAt',
      ExpressionAttributeNames: { '#status': 'status' },
      ConsistentRead: true,
    }),
  );
  const message = current.Item as
    | { direction?: string; status?: string; providerMessageId?: string; expiresAt?: number; releasedByWatchAt?: string }
    | undefined;
  if (message?.direction !== 'outbound') return false;
  if (message.providerMessageId !== undefined) return message.providerMessageId === providerMessageId;
  // Also a reply the reply watch gave back to `pending` after its claim went unconfirmed: this
  // receipt confirms that claim after all, and the reply must not go out a second time.
  const releasedByWatch = message.status === 'pending' && message.releasedByWatchAt !== undefined;
  if (message.status !== 'sending' && !releasedByWatch) return false;

  // Refused when the sender wrote it meanwhile: the same pointer.
  await conditionalWrite(
    deps.db.send(
      new PutCommand({
        TableName: deps.tableName,
        Item: {
          pk: providerIdPk(providerMessageId),
          sk: PROVIDER_ID_SK,
          entity: 'ProviderMessageId',
          conversationKey: event.conversationKey,
          messageSk: key.sk,
          ...(message.expiresAt !== undefined ? { expiresAt: message.expiresAt } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  // Refused when the sender recorded it meanwhile, with the same provider id.
  await conditionalWrite(
    deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: key,
        UpdateExpression:
          'SET #status = :sent, statusRank = :rank, providerMessageId = :pmid, sentAt = if_not_exists(sentAt, :at), ' +
          'statusUpdatedAt = :at, sendRecordedFrom = :receipt',
        ConditionExpression: '(#status = :sending OR (#status = :pending AND attribute_exists(releasedByWatchAt))) AND attribute_not_exists(providerMessageId)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ':sending': 'sending',
          ':pending': 'pending',
          ':rank': STATUS_RANK.sent,
          ':pmid': providerMessageId,
          ':at': event.occurredAt,
          ':receipt': 'receipt',
        },
      }),
    ),
  );
  return true;
}
