import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { accountPk, CONVERSATION_SK, conversationPk } from '#lambdas/conversation/table-keys';
import type { MarketingConsent } from '#lambdas/outbound/send-rules';

/**
 * The customer's marketing consent per channel account (`pk ACCT#<accountId>`,
 * `sk CONSENT#<customerId>`, entity `Consent`). Whoever records consent (an opt-in form, the
 * agent's opt-out flow, an import) writes the times and the evidence; the sender only reads it.
 */
export interface ConsentItem {
  pk: string;
  sk: string;
  entity: 'Consent';
  accountId: string;
  customerId: string;
  /** When the customer agreed to marketing messages. */
  marketingOptInAt?: string;
  /** Where that agreement is recorded (form id, message id, import batch): no personal data. */
  marketingOptInEvidence?: string;
  marketingOptOutAt?: string;
  marketingOptOutEvidence?: string;
}

export const consentSk = (customerId: string) => `CONSENT#${customerId}`;

export interface SendContext {
  lastInboundAt?: string;
  consent?: MarketingConsent;
}

/** Reads the conversation (for its window) and, when asked, the consent, in one round trip. */
export async function loadSendContext(
  db: DynamoDBDocumentClient,
  tableName: string,
  target: { conversationKey: string; accountId: string; customerId: string; withConsent: boolean },
): Promise<SendContext> {
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
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const lastInboundAt = str(conversation?.lastInboundAt);
  const optInAt = str(consent?.marketingOptInAt);
  const optOutAt = str(consent?.marketingOptOutAt);
  return {
    ...(lastInboundAt ? { lastInboundAt } : {}),
    ...(consent ? { consent: { ...(optInAt ? { optInAt } : {}), ...(optOutAt ? { optOutAt } : {}) } } : {}),
  };
}
