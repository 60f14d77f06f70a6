/** The attributes of a stored Message item the agent reads (see conversation/record-normalized-event.ts). */
export interface StoredMessage {
  sk: string;
  lsi1sk: string;
  entity?: string;
  providerMessageId?: string;
  direction?: string;
  origin?: string;
  type?: string;
  text?: string;
  choiceId?: string;
  choiceTitle?: string;
  standby?: boolean;
  deletedAt?: string;
  occurredAt: string;
  customerWaId?: string;
  customerUserId?: string;
}

/** Types that carry nothing to answer on their own. */
const NOT_ANSWERED_TYPES = new Set(['reaction', 'system']);

/**
 * The customer messages still waiting for an answer, oldest first. Only what a customer wrote
 * counts: echoes, the business app's and the agent's own messages, imported history, standby
 * messages (another app owns the thread), lone reactions, system notices and messages the
 * customer deleted are never answered.
 */
export function unansweredMessages(itemsInTimeOrder: readonly StoredMessage[], answeredThroughSk?: string): StoredMessage[] {
  return itemsInTimeOrder.filter(
    (m) =>
      (answeredThroughSk === undefined || m.lsi1sk > answeredThroughSk) &&
      m.entity === 'Message' &&
      m.direction === 'inbound' &&
      m.origin === 'customer' &&
      m.standby !== true &&
      !NOT_ANSWERED_TYPES.has(m.type ?? '') &&
      m.deletedAt === undefined &&
      typeof m.providerMessageId === 'string',
  );
}
