import type { IdentityKind } from '#lambdas/contacts/contact-model';
import type { SnapshotSource } from '#lambdas/integrations/dispatch/snapshots-store';
import type { ConversationSnapshot, MessageSnapshot } from '#lambdas/integrations/integration-model';

/**
 * What the dispatcher reads of the table for a mapper: the Conversation and Message items as they
 * are now (events carry ids only), reduced to the snapshots of integration-model.ts. Text fields
 * are bounded here, whatever the items hold.
 */
export type TableItem = Record<string, unknown>;

/** Where the snapshots are read (dispatch/snapshots-store.ts). */
export interface SnapshotDeps {
  snapshots: SnapshotSource;
}

export function readConversation(deps: SnapshotDeps, conversationKey: string): Promise<TableItem | undefined> {
  return deps.snapshots.conversation(conversationKey);
}

export function readMessage(deps: SnapshotDeps, conversationKey: string, messageId: string): Promise<TableItem | undefined> {
  return deps.snapshots.message(conversationKey, messageId);
}

const str = (v: unknown, max = 1024): string | undefined => (typeof v === 'string' && v !== '' ? v.slice(0, max) : undefined);
const CHANNELS = new Set(['whatsapp', 'instagram', 'messenger']);

/**
 * The start of the conversation's current session: its creation, or the last time a closed
 * conversation was reopened by a customer writing again. CRM mappers key their ticket on it.
 */
export function sessionStartOf(conversation: TableItem): string | undefined {
  const created = str(conversation.createdAt, 64);
  const reopened = str(conversation.reopenedAt, 64);
  return reopened && (!created || reopened > created) ? reopened : created;
}

export function conversationSnapshot(item: TableItem, overrides: Partial<ConversationSnapshot> = {}): ConversationSnapshot | undefined {
  const channel = str(item.channel);
  const conversationKey = str(item.conversationKey);
  const accountId = str(item.accountId);
  const customerId = str(item.customerId);
  if (!channel || !CHANNELS.has(channel) || !conversationKey || !accountId || !customerId) return undefined;
  const state = str(item.state, 32);
  const tags = Array.isArray(item.tags)
    ? item.tags
        .filter((t): t is string => typeof t === 'string')
        .slice(0, 50)
        .map((t) => t.slice(0, 40))
    : undefined;
  const csat = typeof item.csatScore === 'number' && Number.isInteger(item.csatScore) ? item.csatScore : undefined;
  const snapshot: ConversationSnapshot = {
    conversationKey,
    channel: channel as ConversationSnapshot['channel'],
    accountId,
    customerId,
    ...(state ? { state } : {}),
    ...(sessionStartOf(item) ? { openedAt: sessionStartOf(item)! } : {}),
    ...(state === 'closed' && str(item.closedAt, 64) ? { closedAt: str(item.closedAt, 64)! } : {}),
    ...(str(item.closeOutcome, 64) ? { outcome: str(item.closeOutcome, 64)! } : {}),
    ...(str(item.handoffReason, 64) ? { reason: str(item.handoffReason, 64)! } : {}),
    ...(tags && tags.length > 0 ? { tags } : {}),
    ...(str(item.assignedAgentId, 256) ? { assignedAgentId: str(item.assignedAgentId, 256)! } : {}),
    ...(str(item.queueId, 256) ? { queueId: str(item.queueId, 256)! } : {}),
    ...(str(item.handoffSummary, 500) ? { summary: str(item.handoffSummary, 500)! } : {}),
    ...(csat !== undefined ? { csatScore: csat } : {}),
  };
  return { ...snapshot, ...overrides };
}

export function messageSnapshot(item: TableItem, options: { includeText: boolean }): MessageSnapshot | undefined {
  const providerMessageId = str(item.providerMessageId) ?? str(item.messageId);
  const direction = item.direction === 'inbound' || item.direction === 'outbound' ? item.direction : undefined;
  const at = str(item.occurredAt, 64) ?? str(item.createdAt, 64);
  if (!providerMessageId || !direction || !at) return undefined;
  const template = item.template && typeof item.template === 'object' ? (item.template as Record<string, unknown>) : undefined;
  const errorCode = typeof item.errorCode === 'number' || typeof item.errorCode === 'string' ? String(item.errorCode).slice(0, 32) : undefined;
  const text = options.includeText ? str(item.text, 4096) : undefined;
  return {
    providerMessageId,
    direction,
    ...(str(item.type, 32) ? { type: str(item.type, 32)! } : {}),
    ...(text ? { text } : {}),
    at,
    ...(str(item.status, 32) ? { status: str(item.status, 32)! } : {}),
    ...(errorCode ? { errorCode } : {}),
    ...(template && str(template.name, 512) ? { templateName: str(template.name, 512)! } : {}),
    ...(template && str(template.category, 32) ? { templateCategory: str(template.category, 32)! } : {}),
  };
}

/** How the contacts module names the customer of a conversation (contact-model.ts IdentityKind). */
export function customerIdentity(conversation: ConversationSnapshot): { kind: IdentityKind; value: string; accountId?: string } {
  switch (conversation.channel) {
    case 'whatsapp':
      // A wa_id is the number's digits; anything else is the business-scoped user id Meta sends instead.
      return { kind: /^\d{5,20}$/.test(conversation.customerId) ? 'whatsapp' : 'whatsapp_bsuid', value: conversation.customerId };
    case 'instagram':
      return { kind: 'instagram', value: conversation.customerId, accountId: conversation.accountId };
    case 'messenger':
      return { kind: 'messenger', value: conversation.customerId, accountId: conversation.accountId };
  }
}
