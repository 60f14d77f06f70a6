import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { accountPk, CONVERSATION_SK, conversationPk } from '#lambdas/conversation/table-keys';

export const consentSk = (customerId: string) => `CONSENT#${customerId}`;

/** The Conversation item and the consent item as the sender reads them, when they exist. */
export interface SendContextItems {
  conversation?: Record<string, unknown>;
  consent?: Record<string, unknown>;
}

export interface SendContextStore {
  /** Reads the conversation and, when asked, the customer's consent on the account, in one round trip. */
  readSendContext(target: { conversationKey: string; accountId: string; customerId: string; withConsent: boolean }): Promise<SendContextItems>;
}

export function createSendContextStore(db: DynamoDBDocumentClient, tableName: string): SendContextStore {
  return {
    async readSendContext(target) {
      const conversationKey = { pk: conversationPk(target.conversationKey), sk: CONVERSATION_SK };
      const consentKey = { pk: accountPk(target.accountId), sk: consentSk(target.customerId) };
      let keys: Array<Record<string, string>> = target.withConsent ? [conversationKey, consentKey] : [conversationKey];
      const items: Array<Record<string, unknown>> = [];
      // Unprocessed keys are rare and small here; asking again until none remain keeps the read whole.
      for (let round = 0; keys.length > 0 && round < 5; round++) {
        const out = await db.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }));
        items.push(...(out.Responses?.[tableName] ?? []));
        keys = (out.UnprocessedKeys?.[tableName]?.Keys as Array<Record<string, string>> | undefined) ?? [];
      }
      if (keys.length > 0) throw new Error('conversation and consent could not be read');
      const conversation = items.find((i) => i.sk === CONVERSATION_SK);
      const consent = items.find((i) => i.sk === consentKey.sk);
      return { ...(conversation ? { conversation } : {}), ...(consent ? { consent } : {}) };
    },
  };
}
