import type { MessageRef, MessageStatusStore, StatusWrite } from '#lambdas/status/message-status-store';
import { PRICE_ATTRIBUTES } from '#lambdas/status/message-status-store';
import { STATUS_RANK, STATUS_TIME_ATTRIBUTE } from '#lambdas/status/status-rank';

/**
 * Messages' delivery status in memory, with the same conditions as the DynamoDB store
 * (lambdas/status/message-status-store.ts, tested against DynamoDB Local in
 * test/integration/message-status-store.test.ts). `calls` lists what was asked, in order.
 */
export interface FakeMessageStatusStore extends MessageStatusStore {
  /** Message items by `<conversationKey>|<messageSk>`. */
  messages: Map<string, Record<string, unknown>>;
  /** Provider id → message. */
  pointers: Map<string, MessageRef>;
  /** StatusChange items by `<conversationKey>|<providerMessageId>|<status>`. */
  statusChanges: Map<string, Record<string, unknown>>;
  calls: string[];
  putMessage(ref: MessageRef, item: Record<string, unknown>, providerMessageId?: string): void;
  message(ref: MessageRef): Record<string, unknown> | undefined;
}

export function fakeMessageStatusStore(): FakeMessageStatusStore {
  const messages = new Map<string, Record<string, unknown>>();
  const pointers = new Map<string, MessageRef>();
  const statusChanges = new Map<string, Record<string, unknown>>();
  const calls: string[] = [];
  const keyOf = (ref: MessageRef) => `${ref.conversationKey}|${ref.messageSk}`;
  const copy = <T>(v: T): T => (v === undefined ? v : structuredClone(v));
  const details = (item: Record<string, unknown>, change: StatusWrite) => {
    // The first report wins.
    if (change.errorCode !== undefined) item.errorCode ??= change.errorCode;
    if (change.errorTitle !== undefined) item.errorTitle ??= change.errorTitle;
    if (change.pricingCategory !== undefined) item.pricingCategory ??= change.pricingCategory;
    if (change.billable !== undefined) item.billable ??= change.billable;
  };

  return {
    messages,
    pointers,
    statusChanges,
    calls,
    putMessage(ref, item, providerMessageId) {
      messages.set(keyOf(ref), copy({ sk: ref.messageSk, ...item }));
      if (providerMessageId) pointers.set(providerMessageId, { ...ref });
    },
    message(ref) {
      return copy(messages.get(keyOf(ref)));
    },

    async findByProviderId(providerMessageId) {
      calls.push('findByProviderId');
      return copy(pointers.get(providerMessageId));
    },
    async messagesUpToWatermark(conversationKey, watermark, status, eventId) {
      calls.push('messagesUpToWatermark');
      const at = STATUS_TIME_ATTRIBUTE[status];
      return [...messages.entries()]
        .filter(([key]) => key.startsWith(`${conversationKey}|`))
        .map(([, item]) => item)
        .filter((item) => typeof item.occurredAt === 'string' && item.occurredAt <= watermark)
        .filter((item) => item.direction === 'outbound' && item.providerMessageId !== undefined && (item[at] === undefined || item.statusEventId === eventId))
        .sort((a, b) => String(a.occurredAt).localeCompare(String(b.occurredAt)))
        .map((item) => ({ conversationKey, messageSk: item.sk as string }));
    },
    async readStatusChange(conversationKey, providerMessageId, status) {
      calls.push('readStatusChange');
      return copy(statusChanges.get(`${conversationKey}|${providerMessageId}|${status}`));
    },
    async readSendState(ref) {
      calls.push('readSendState');
      return copy(messages.get(keyOf(ref)));
    },
    async advanceStatus(ref, change) {
      calls.push('advanceStatus');
      const item = messages.get(keyOf(ref));
      const rank = STATUS_RANK[change.status];
      if (!item || item.providerMessageId === undefined || (typeof item.statusRank === 'number' && item.statusRank >= rank)) return undefined;
      const at = STATUS_TIME_ATTRIBUTE[change.status];
      Object.assign(item, { [at]: item[at] ?? change.at, status: change.status, statusRank: rank, statusUpdatedAt: change.at, statusEventId: change.eventId });
      details(item, change);
      return copy(item);
    },
    async stampStatusTime(ref, change) {
      calls.push('stampStatusTime');
      const item = messages.get(keyOf(ref));
      const rank = STATUS_RANK[change.status];
      if (!item || item.providerMessageId === undefined || !(typeof item.statusRank === 'number' && item.statusRank >= rank)) return undefined;
      const at = STATUS_TIME_ATTRIBUTE[change.status];
      item[at] ??= change.at;
      details(item, change);
      return copy(item);
    },
    async priceMessage(ref, price, withItem) {
      calls.push('priceMessage');
      const item = messages.get(keyOf(ref));
      if (!item || item.providerMessageId === undefined || item.metaPricedAt !== undefined) return undefined;
      Object.assign(item, price);
      return withItem ? copy(item) : {};
    },
    async unpriceMessage(ref, pricedAt) {
      calls.push('unpriceMessage');
      const item = messages.get(keyOf(ref));
      if (!item || item.metaPricedAt !== pricedAt) return;
      for (const name of PRICE_ATTRIBUTES) delete item[name];
    },
  };
}
