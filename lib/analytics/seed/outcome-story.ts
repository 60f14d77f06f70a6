import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from '#lambdas/adapters/dynamodb';
import { DEFAULT_CONVERSATION_END_HOURS } from '#lambdas/agent/flows/business-flows-schema';
import { contactPk, CONTACT_PROFILE_SK } from '#lambdas/contacts/contact-keys';
import { dynamoBotEndStore } from '#lambdas/conversation-end/bot-end-store';
import { decideBotEnd } from '#lambdas/conversation-end/bot-outcome';
import { CONVERSATION_SK, conversationPk, TABLE_KEYS } from '#lambdas/conversation/table-keys';
import { randomSource } from '#lib/analytics/seed/seed-plan';

/**
 * The seed's ends and first touches, written after the conversations were moved in time, so that
 * `npm run analytics` shows outcomes and conversions by ad locally:
 * - where a customer came from: two click-to-WhatsApp/Instagram ads and a newsletter link (UTMs), or
 *   on their own, drawn from a generator of its own (the other stories' draws stay as they were);
 * - a handed-off customer who came from an ad or the link may buy: the person's close becomes `converted`;
 * - each conversation the bot alone holds ends as the sweep would have ended it, 24 hours after the
 *   customer's last message (the sweep's own decision, lambdas/conversation-end/bot-outcome.ts).
 */
export interface SeedAttribution {
  source: 'ad' | 'link';
  adId?: string;
  headline?: string;
  utm?: { source: string; medium: string; campaign: string };
  /** A handed-off customer from this touch buys. */
  buys: boolean;
}

const ADS = [
  { adId: '120210000000001', headline: 'Black Friday: 30% off' },
  { adId: '120210000000002', headline: 'Free shipping this week' },
];

export function planAttribution(seed: number, index: number): SeedAttribution | undefined {
  const random = randomSource(seed * 31 + index * 7 + 3);
  const r = random();
  if (r < 0.2) return { source: 'ad', ...ADS[0]!, buys: random() < 0.5 };
  if (r < 0.32) return { source: 'ad', ...ADS[1]!, buys: random() < 0.3 };
  if (r < 0.42) return { source: 'link', utm: { source: 'newsletter', medium: 'email', campaign: 'november' }, buys: random() < 0.25 };
  return undefined;
}

/**
 * Writes the first touch where the analytics read it: on the customer's contact (`firstTouch`, when
 * the contacts consumer made one and it has none) or, without a contact, as the referral of the
 * conversation's first customer message.
 */
export async function stampAttribution(db: DynamoDBDocumentClient, tableName: string, conversationKey: string, touch: SeedAttribution): Promise<void> {
  const conversation = (
    await db.send(new GetCommand({ TableName: tableName, Key: { pk: conversationPk(conversationKey), sk: CONVERSATION_SK }, ConsistentRead: true }))
  ).Item;
  if (!conversation) return;
  const first = await firstCustomerMessage(db, tableName, conversationKey);
  const at = typeof first?.occurredAt === 'string' ? first.occurredAt : String(conversation.createdAt);
  const contactId = typeof conversation.contactId === 'string' ? conversation.contactId : undefined;
  const businessId = typeof conversation.businessId === 'string' ? conversation.businessId : 'local';
  if (contactId) {
    const firstTouch = {
      channel: conversation.channel,
      accountId: conversation.accountId,
      conversationKey,
      at,
      source: touch.source,
      ...(touch.adId ? { adId: touch.adId, headline: touch.headline } : {}),
      ...(touch.utm
        ? {
            utm: touch.utm,
            sourceUrl: `https://shop.example/black-friday?utm_source=${touch.utm.source}&utm_medium=${touch.utm.medium}&utm_campaign=${touch.utm.campaign}`,
          }
        : {}),
    };
    await conditionalWrite(
      db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: contactPk(businessId, contactId), sk: CONTACT_PROFILE_SK },
          UpdateExpression: 'SET firstTouch = :touch',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(firstTouch)',
          ExpressionAttributeValues: { ':touch': firstTouch },
        }),
      ),
    );
    return;
  }
  if (!first || !touch.adId) return;
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { pk: first.pk, sk: first.sk },
      UpdateExpression: 'SET referralSource = :source, referralAdId = :ad, referral = :referral',
      ExpressionAttributeValues: {
        ':source': 'ad',
        ':ad': touch.adId,
        ':referral': { sourceType: 'ad', sourceId: touch.adId, adId: touch.adId, headline: touch.headline, ctwaClid: `seed-${touch.adId}` },
      },
    }),
  );
}

/** A person's `resolved` close becomes a sale. */
export async function stampSale(db: DynamoDBDocumentClient, tableName: string, conversationKey: string): Promise<boolean> {
  return conditionalWrite(
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: conversationPk(conversationKey), sk: CONVERSATION_SK },
        UpdateExpression: 'SET closeOutcome = :converted, outcome = :converted, outcomeBy = :person, outcomeAt = closedAt',
        ConditionExpression: 'closeOutcome = :resolved AND attribute_exists(closedAt)',
        ExpressionAttributeValues: { ':converted': 'converted', ':resolved': 'resolved', ':person': 'person' },
      }),
    ),
  );
}

/**
 * Ends a conversation the bot alone holds as the sweep would have, at its due time (the customer's
 * last message + 24 h) when that is already past. Marked announced: the seed publishes nothing.
 */
export async function stampBotEnd(db: DynamoDBDocumentClient, tableName: string, conversationKey: string, nowMs: number): Promise<string | undefined> {
  const store = dynamoBotEndStore({ db, tableName });
  const conversation = await store.conversation(conversationKey);
  if (!conversation?.lastInboundAt) return undefined;
  const endAfterMs = DEFAULT_CONVERSATION_END_HOURS * 3_600_000;
  const dueMs = Date.parse(conversation.lastInboundAt) + endAfterMs + 10 * 60_000;
  if (!Number.isFinite(dueMs) || dueMs > nowMs) return undefined;
  const decision = decideBotEnd(conversation, new Date(dueMs), endAfterMs);
  if (!decision.end) return undefined;
  const at = new Date(dueMs).toISOString();
  if (!(await store.markEnded(conversation, { outcome: decision.outcome, reason: decision.reason, at, ...(decision.faqId ? { faqId: decision.faqId } : {}) })))
    return undefined;
  await store.markAnnounced(conversationKey, at, at);
  return decision.outcome;
}

async function firstCustomerMessage(db: DynamoDBDocumentClient, tableName: string, conversationKey: string): Promise<Record<string, string> | undefined> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: TABLE_KEYS.byTimeIndex.name,
        KeyConditionExpression: 'pk = :pk AND lsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': conversationPk(conversationKey), ':from': 'MSG#', ':to': 'MSG$' },
        Select: 'ALL_ATTRIBUTES',
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    const found = (out.Items ?? []).find((m) => m.direction === 'inbound' && m.origin === 'customer');
    if (found) return found as Record<string, string>;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return undefined;
}
