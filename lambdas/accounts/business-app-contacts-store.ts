import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, type DocumentClient } from '#lambdas/adapters/dynamodb';
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

/** One change of the address book: an add or edit (with the saved name, if any) or a remove. */
export interface BusinessAppContactChange {
  accountId: string;
  customerId: string;
  /** Meta's time then event id: the newest change wins. */
  version: string;
  /** As Meta named it, lower case (`add`, `edit`, `remove`). */
  action: string;
  removed: boolean;
  /** The name the business saved; absent on a remove or when Meta gave none. */
  addressBookName?: string;
  occurredAt: string;
  retentionDays: number;
}

export interface BusinessAppContactStore {
  /** Writes the change unless a newer one (by `version`) is already there; false when stale. */
  recordChange(change: BusinessAppContactChange): Promise<boolean>;
}

export function createBusinessAppContactStore(db: DocumentClient, tableName: string): BusinessAppContactStore {
  return {
    recordChange(change) {
      const values: Record<string, unknown> = {
        ':v': change.version,
        ':entity': 'Contact',
        ':accountId': change.accountId,
        ':customerId': change.customerId,
        ':source': 'business_app',
        ':removed': change.removed,
        ':action': change.action,
        ':at': change.occurredAt,
        ':ttl': expiresAt(change.occurredAt, change.retentionDays),
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
      if (change.removed || !change.addressBookName) remove = ' REMOVE addressBookName';
      else {
        sets.push('addressBookName = :name');
        values[':name'] = change.addressBookName;
      }
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: accountPk(change.accountId), sk: contactSk(change.customerId) },
            UpdateExpression: `SET ${sets.join(', ')}${remove}`,
            ConditionExpression: 'attribute_not_exists(contactVersion) OR contactVersion < :v',
            ExpressionAttributeNames: { '#source': 'source' },
            ExpressionAttributeValues: values,
          }),
        ),
      );
    },
  };
}
