import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import type { NormalizedEvent } from '#lambdas/conversation/model';
import { accountPk, expiresAt } from '#lambdas/conversation/table-keys';

/**
 * Contacts of the WhatsApp Business App's address book (coexistence `smb_app_state_sync`), one
 * item per number and customer, beside the customer's consent:
 *
 *   pk ACCT#<phone number id>   sk CONTACT#<wa_id>   entity Contact
 *
 * `addressBookName` is the name the business saved (PII: kept in the table, never logged). A
 * `remove` leaves a tombstone (`removed: true`, no name) so an older `add` delivered later cannot
 * bring the contact back; the newest change (Meta's time, then event id) always wins.
 */
export const contactSk = (customerId: string) => `CONTACT#${customerId}`;
export const STATE_SYNC_TOPIC = 'whatsapp.smb_app_state_sync';

export type ContactOutcome = 'applied' | 'stale' | 'not_contact';

export async function recordBusinessAppContact(
  event: NormalizedEvent,
  deps: { db: DynamoDBDocumentClient; tableName: string; retentionDays: number },
): Promise<ContactOutcome> {
  if (event.kind !== 'notification' || event.topic !== STATE_SYNC_TOPIC) return 'not_contact';
  if (String(event.details['sync_type'] ?? '').toLowerCase() !== 'contact' || !event.customer?.id) return 'not_contact';
  const action = String(event.details['action'] ?? 'add').toLowerCase();
  const removed = action === 'remove';
  const name = event.customer.name;
  const values: Record<string, unknown> = {
    ':v': `${event.occurredAt}#${event.eventId}`,
    ':entity': 'Contact',
    ':accountId': event.accountId,
    ':customerId': event.customer.id,
    ':source': 'business_app',
    ':removed': removed,
    ':action': action,
    ':at': event.occurredAt,
    ':ttl': expiresAt(event.occurredAt, deps.retentionDays),
  };
  const sets = [
    'contactVersion = :v',
    'entity = :entity',
    'accountId = :accountId',
    'customerId = :customerId',
    '#source = :source',
    'removed = :removed',
    'lastAction = :action',
    'contactUpdatedAt = :at',
    'expiresAt = :ttl',
  ];
  let remove = '';
  if (removed || !name) remove = ' REMOVE addressBookName';
  else {
    sets.push('addressBookName = :name');
    values[':name'] = name;
  }
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: { pk: accountPk(event.accountId), sk: contactSk(event.customer.id) },
        UpdateExpression: `SET ${sets.join(', ')}${remove}`,
        ConditionExpression: 'attribute_not_exists(contactVersion) OR contactVersion < :v',
        ExpressionAttributeNames: { '#source': 'source' },
        ExpressionAttributeValues: values,
      }),
    );
    return 'applied';
  } catch (err) {
    if (isConditionalCheckFailed(err)) return 'stale';
    throw err;
  }
}
