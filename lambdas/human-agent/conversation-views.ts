import { conversationsByStatePk } from '#lambdas/conversation/table-keys';
import type { ConversationViewsStore } from '#lambdas/human-agent/conversation-views-store';
import { HumanAgentRequestError } from '#lambdas/human-agent/errors';
import { conversationView, messageView } from '#lambdas/workspace/conversation-detail-view';

/** What the views read (conversation-views-store.ts). */
export interface ReadDeps {
  views: ConversationViewsStore;
}

/** The Conversation attributes a human agent works with. */
export interface ConversationRecord {
  conversationKey: string;
  channel: 'whatsapp' | 'instagram' | 'messenger';
  accountId: string;
  businessAccountId?: string;
  customerId: string;
  customerName?: string;
  state: string;
  version?: number;
  language?: string;
  handoffReason?: string;
  handoffSummary?: string;
  handoffRequestedAt?: string;
  humanQuietUntil?: string;
  assignedAgentId?: string;
  lastInboundAt?: string;
  lastInboundMessageId?: string;
  answeredThroughSk?: string;
  csatRequestedAt?: string;
  csatScore?: number;
  consentStatus?: string;
}

const CONVERSATION_FIELDS = [
  'conversationKey',
  'channel',
  'accountId',
  'customerId',
  'customerName',
  'state',
  'version',
  'language',
  'handoffReason',
  'handoffSummary',
  'handoffRequestedAt',
  'humanQuietUntil',
  'assignedAgentId',
  'lastInboundAt',
  'csatRequestedAt',
  'csatScore',
  'consentStatus',
] as const;

function view(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(CONVERSATION_FIELDS.filter((f) => item[f] !== undefined).map((f) => [f, item[f]]));
}

export async function getConversation(key: string, deps: ReadDeps): Promise<ConversationRecord | undefined> {
  return (await deps.views.conversation(key)) as ConversationRecord | undefined;
}

/** Conversations of an account in a state, oldest transition first (the longest wait on top). */
export async function listConversations(
  accountId: string,
  state: string,
  limit: number,
  cursor: string | undefined,
  deps: ReadDeps,
): Promise<{ conversations: Record<string, unknown>[]; nextCursor?: string }> {
  const partition = conversationsByStatePk(accountId, state);
  const page = await deps.views.conversationsInState(accountId, state, limit, cursor ? listCursorKey(cursor, partition) : undefined);
  return {
    conversations: page.items.map(view),
    ...(page.lastKey ? { nextCursor: Buffer.from(JSON.stringify(page.lastKey)).toString('base64url') } : {}),
  };
}

const CURSOR_KEYS = ['gsi1pk', 'gsi1sk', 'pk', 'sk'] as const;

/**
 * The start key a cursor of this list stands for. A cursor is handed back by the caller, so it is
 * checked like any input: JSON of exactly the index's key attributes, on the partition being listed
 * (a cursor of another account's list cannot be used to read it). Anything else is a 400.
 */
function listCursorKey(cursor: string, partition: string): Record<string, string> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const fields = key && typeof key === 'object' && !Array.isArray(key) ? (key as Record<string, unknown>) : undefined;
  const valid =
    fields !== undefined &&
    Object.keys(fields).length === CURSOR_KEYS.length &&
    CURSOR_KEYS.every((k) => typeof fields[k] === 'string' && (fields[k] as string).length > 0 && (fields[k] as string).length <= 1024) &&
    fields.gsi1pk === partition;
  if (!valid) throw new HumanAgentRequestError(400, 'invalid_cursor', 'The cursor is not one this list handed out');
  return fields as Record<string, string>;
}

/**
 * The conversation and its latest messages, oldest first, as a person reads a chat: channel,
 * direction, time, type, text, attachments (without their stored keys), choices as sent or tapped,
 * delivery status with Meta's error in words, and the routing attributes.
 */
export async function readConversation(key: string, limit: number, deps: ReadDeps) {
  const conversation = await getConversation(key, deps);
  if (!conversation) return undefined;
  const messages = (await deps.views.latestMessages(key, limit)).reverse().map(messageView);
  return { conversation: conversationView(conversation as unknown as Record<string, unknown>), messages };
}

/**
 * The time-index key of the conversation's latest customer message, if any. Only the customer's
 * messages mark what has been answered: the business's own carry our clock to the millisecond,
 * while WhatsApp stamps the customer's to the second, so a rating tapped in the same second as
 * the question was sent sorts before the question and would pass for answered.
 */
export async function latestCustomerMessageSk(key: string, deps: ReadDeps): Promise<string | undefined> {
  return deps.views.latestCustomerMessageSk(key);
}
