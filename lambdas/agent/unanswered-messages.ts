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
  /** The message's media as recorded; a photo, video or document may carry a caption. */
  media?: Array<{ caption?: string }>;
  standby?: boolean;
  deletedAt?: string;
  occurredAt: string;
  /** When the webhook brought it (our clock, milliseconds). */
  receivedAt?: string;
  /** When the normalizer stored it (our clock). */
  storedAt?: string;
  customerWaId?: string;
  customerUserId?: string;
}

/** What the customer wrote: the text, else the caption of the first media that has one. */
export function customerTextOf(message: Pick<StoredMessage, 'text' | 'media'>): string | undefined {
  if (typeof message.text === 'string' && message.text.length > 0) return message.text;
  const caption = Array.isArray(message.media) ? message.media.find((m) => typeof m?.caption === 'string' && m.caption.length > 0)?.caption : undefined;
  return caption;
}

/** Types that carry nothing to answer on their own. */
const NOT_ANSWERED_TYPES = new Set(['reaction', 'system']);

/**
 * The customer messages still waiting for an answer, oldest first. Only what a customer wrote
 * counts: echoes, the business app's and the agent's own messages, imported history, standby
 * messages (another app owns the thread), lone reactions, system notices and messages the
 * customer deleted are never answered.
 */
/** `MSG#<yyyy-mm-ddThh:mm:ss>`: the second a time-ordered message key falls in. */
export function secondOf(lsi1sk: string): string {
  return lsi1sk.slice(0, 'MSG#'.length + 19);
}

/**
 * Where a look for unanswered messages starts: after `answeredThroughSk`, or at the start of its
 * second when a person marked it (`answeredAt`), since WhatsApp stamps customer messages to the
 * second and one written just after the marking can sort before the message marked.
 */
export function unansweredFromSk(answeredThroughSk?: string, answeredAt?: string): string {
  if (answeredThroughSk === undefined) return 'MSG#';
  return answeredAt === undefined ? answeredThroughSk : secondOf(answeredThroughSk);
}

export function unansweredMessages(itemsInTimeOrder: readonly StoredMessage[], answeredThroughSk?: string, answeredAt?: string): StoredMessage[] {
  const after = (m: StoredMessage) =>
    answeredThroughSk === undefined ||
    m.lsi1sk > answeredThroughSk ||
    // Same second as the marked message, but brought by a webhook after the marking.
    (answeredAt !== undefined && secondOf(m.lsi1sk) === secondOf(answeredThroughSk) && m.lsi1sk !== answeredThroughSk && (m.receivedAt ?? '') > answeredAt);
  return itemsInTimeOrder.filter(
    (m) =>
      after(m) &&
      m.entity === 'Message' &&
      m.direction === 'inbound' &&
      m.origin === 'customer' &&
      m.standby !== true &&
      !NOT_ANSWERED_TYPES.has(m.type ?? '') &&
      m.deletedAt === undefined &&
      typeof m.providerMessageId === 'string',
  );
}
