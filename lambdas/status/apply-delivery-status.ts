import type { DomainEvent, EventPublisher } from '#lambdas/adapters/event-publisher';
import { EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { agentReplyOf, recordAgentReply } from '#lambdas/status/conversation-metrics';
import { MessageNotYetKnownError } from '#lambdas/status/errors';
import type { AnnouncedMessage } from '#lambdas/status/announced-statuses';
import { isAnnouncedStatus, messageStatusChangedEvent, type AnnouncedStatus } from '#lambdas/status/message-status-changed';
import type { MessageRef, StatusWrite } from '#lambdas/status/message-status-store';
import { isTrackedStatus, STATUS_RANK, type TrackedStatus } from '#lambdas/status/status-rank';
import type { StatusStores } from '#lambdas/status/status-stores';
import { statusReceivedDetailSchema, type StatusReceivedDetail } from '#lambdas/status/status-received-detail';
import { bundledRateCard, type RateCard } from '#lambdas/pricing/rate-card';
import { priceWhatsAppMessage, recipientCountryOf, type MessageCharge, type StatusPricing } from '#lambdas/pricing/whatsapp-message-charge';
import type { MessageSpendCounter } from '#lambdas/pricing/count-message-spend';
import { recordMessageCharge } from '#lambdas/status/record-message-charge';
import { countCampaignMessage, type CampaignCounter } from '#lambdas/campaigns/campaign-counts';
import type { CampaignStore } from '#lambdas/campaigns/campaign-ports';

/** What counting campaign messages needs (campaigns/campaign-counts.ts). */
export interface CampaignCountDeps {
  counter: CampaignCounter;
  /** Marks a recipient failed on its campaign's list when its failure is counted. */
  recipients?: Pick<CampaignStore, 'advanceRecipient'>;
}

export interface StatusServices {
  publisher: EventPublisher;
  /**
   * Which status changes are published on the bus (`message.delivered`, `message.read`,
   * `message.failed`), given the status and the Message item it advanced (its `origin`).
   * Default: all. Each is an EventBridge entry per receipt, paid whether or not a rule consumes
   * it (lambdas/status/announced-statuses.ts).
   */
  announce?: (status: AnnouncedStatus, message: AnnouncedMessage) => boolean;
  /** The rate card WhatsApp messages are priced with. Default: the one shipped with the code. */
  rateCard?: RateCard;
  /** Adds each message priced to its business's month and campaign (pricing/count-message-spend.ts). Default: none. */
  spend?: MessageSpendCounter;
  /**
   * Counts campaign messages' transitions on their campaign (campaigns/campaign-counts.ts), once
   * each, from the Message item a receipt moved or stamped. Absent: no campaign counts.
   */
  campaignCounts?: CampaignCountDeps;
}

/** Status tracking's services and its stores (status/status-stores.ts). */
export type StatusDeps = StatusServices & StatusStores;

export interface DeliveryAttempt {
  /** SQS ApproximateReceiveCount of the record carrying the event. */
  receiveCount: number;
  /**
   * Default true: a provider id no message answers to throws MessageNotYetKnownError for the
   * first UNKNOWN_MESSAGE_RECEIVES receives. False returns it in `unknownMessageIds` instead (the
   * normalizer, applying receipts as they arrive, hands those to status tracking to retry).
   */
  retryUnknown?: boolean;
  /** Error title and pricing from the receipt itself, when the caller holds it: no read needed. */
  details?: ReceiptDetails;
}

/** What a receipt says beyond ids and codes: kept on the StatusChange item, or passed by the caller. */
export interface ReceiptDetails {
  errorTitle?: string;
  pricingCategory?: string;
  billable?: boolean;
  /** Meta's whole pricing object (either form) and the recipient, to price the message once. */
  pricing?: StatusPricing;
  recipientId?: string;
}

/** Receives during which an unknown provider id is retried before the receipt is given up. */
export const UNKNOWN_MESSAGE_RECEIVES = 3;

export type StatusOutcome =
  | { outcome: 'invalid'; issues: string[] }
  | { outcome: 'ignored'; reason: 'status_not_tracked' | 'no_message_reference' }
  | {
      outcome: 'applied';
      /** Messages whose current status moved forward (an event was published for those that matter). */
      advanced: number;
      /** Messages that only gained the timestamp: the status was already at or past this one. */
      recorded: number;
      /** Provider ids no message answers to, given up after the retries. */
      unknownMessageIds: string[];
    };

/** A receipt's status change: what is written on the message, and its price when Meta gave one. */
interface StatusChange extends StatusWrite {
  /** The message's price, from a WhatsApp receipt that carried pricing. */
  charge?: MessageCharge;
}

type ApplyResult = { result: 'advanced'; item: Record<string, unknown> } | { result: 'recorded'; item: Record<string, unknown> } | { result: 'missing' };

/**
 * `message.status_received` → the Message item's current status and per-status timestamps, and
 * for a reply to the customer the conversation's first response time and last agent reply
 * (status/conversation-metrics.ts).
 *
 * The event is a wake-up call: the message is found through its provider id (or, for
 * Messenger/Instagram watermark receipts, through the conversation's time index), and every write
 * is conditional, so a duplicated, late or reordered receipt leaves the item as if all receipts
 * had arrived once and in order.
 */
export async function applyDeliveryStatus(detail: unknown, deps: StatusDeps, attempt: DeliveryAttempt = { receiveCount: 1 }): Promise<StatusOutcome> {
  const parsed = statusReceivedDetailSchema.safeParse(detail);
  if (!parsed.success) {
    return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  }
  const event = parsed.data;
  if (!isTrackedStatus(event.status)) return { outcome: 'ignored', reason: 'status_not_tracked' };

  const providerIds = [...new Set([...(event.providerMessageIds ?? []), ...(event.providerMessageId ? [event.providerMessageId] : [])])];
  if (providerIds.length === 0 && !event.watermark) return { outcome: 'ignored', reason: 'no_message_reference' };

  const change: StatusChange = { status: event.status, at: event.occurredAt, eventId: event.eventId };
  const announce: Array<{ ref: MessageRef; event: DomainEvent }> = [];
  let advanced = 0;
  let recorded = 0;
  const unknown: string[] = [];

  const applyAt = async (ref: MessageRef, providerMessageId: string | undefined) => {
    const detailed = attempt.details ? withDetails(change, event, attempt.details, deps) : await withErrorDetails(change, event, ref, providerMessageId, deps);
    const outcome = await applyToMessage(ref, detailed, deps);
    // The first receipt with pricing prices the message; the returned item says whether one did.
    if (outcome.result !== 'missing' && detailed.charge && outcome.item.metaPricedAt === undefined) {
      await recordMessageCharge(ref, detailed.charge, change.at, deps);
    }
    // A campaign's message counts what its status now implies, once (the mark is on the item in hand).
    if (outcome.result !== 'missing' && deps.campaignCounts && outcome.item.campaignId !== undefined) {
      await countCampaignMessage(outcome.item, deps.campaignCounts);
    }
    if (outcome.result === 'advanced' && provesDelivery(change.status)) {
      // The receipt that moves a reply past `sent` proves it reached the customer: the
      // conversation's response metrics follow from it, once per reply in practice.
      const reply = agentReplyOf(outcome.item, change.at);
      if (reply) await recordAgentReply(ref.conversationKey, reply, deps.replyMetrics);
    }
    if (outcome.result === 'advanced') {
      advanced++;
      if (isAnnouncedStatus(change.status) && (deps.announce?.(change.status, { origin: outcome.item.origin }) ?? true)) {
        announce.push({
          ref,
          event: messageStatusChangedEvent(EVENT_SOURCE.status, {
            conversationKey: ref.conversationKey,
            messageId: ref.messageSk.replace(/^MSG#/, ''),
            providerMessageId: providerMessageId ?? (outcome.item.providerMessageId as string | undefined),
            channel: event.channel,
            accountId: event.accountId,
            status: change.status,
            occurredAt: change.at,
            ...(event.errorCodes?.[0] !== undefined ? { errorCode: event.errorCodes[0] } : {}),
          }),
        });
      }
    } else if (outcome.result === 'recorded') {
      recorded++;
    }
    return outcome.result;
  };

  if (providerIds.length > 0) {
    for (const providerMessageId of providerIds) {
      const ref = await deps.statuses.findByProviderId(providerMessageId);
      if (!ref || (await applyAt(ref, providerMessageId)) === 'missing') unknown.push(providerMessageId);
    }
  } else {
    // Messenger/Instagram receipts may carry only a watermark: every business message sent before it
    // is delivered (or read).
    const refs = event.watermark ? await deps.statuses.messagesUpToWatermark(event.conversationKey, event.watermark, change.status, event.eventId) : [];
    for (const ref of refs) await applyAt(ref, undefined);
  }

  // Publish what did advance before deciding about the unknown ids. A redelivery of the receipt
  // that last advanced a message publishes its announcement again (at least once; consumers
  // treat events as idempotent wake-up calls), which is cheaper than marking every announcement.
  if (announce.length > 0) await deps.publisher.publish(announce.map((a) => a.event));
  if (unknown.length > 0 && (attempt.retryUnknown ?? true) && attempt.receiveCount <= UNKNOWN_MESSAGE_RECEIVES) {
    throw new MessageNotYetKnownError(unknown, attempt.receiveCount);
  }
  return { outcome: 'applied', advanced, recorded, unknownMessageIds: unknown };
}

/**
 * Whether a receipt of this status, moving a message forward, shows it reached the customer:
 * `delivered`, `read` or `played`. WhatsApp's `sent` only repeats what the sender recorded when
 * the Graph API accepted the message, and Instagram, which sends no delivery receipts, moves its
 * messages past `sent` with its read receipt.
 */
function provesDelivery(status: TrackedStatus): boolean {
  return status !== 'failed' && STATUS_RANK[status] > STATUS_RANK.sent;
}

/** Statuses Meta sends pricing with (WhatsApp `sent` and `delivered`), and `failed` for its error title. */
const DETAILED_STATUSES = new Set<TrackedStatus>(['sent', 'delivered', 'failed']);

/** The receipt's own error title and pricing, given by a caller that holds the receipt. */
function withDetails(change: StatusChange, event: StatusReceivedDetail, details: ReceiptDetails, deps: StatusDeps): StatusChange {
  if (!DETAILED_STATUSES.has(change.status)) return change;
  const errorCode = change.status === 'failed' ? event.errorCodes?.[0] : undefined;
  const errorTitle = change.status === 'failed' ? details.errorTitle : undefined;
  const pricing = change.status !== 'failed' && event.channel === 'whatsapp';
  const charge =
    pricing && details.pricing ? priceWhatsAppMessage(details.pricing, recipientCountryOf(details.recipientId), deps.rateCard ?? bundledRateCard()) : undefined;
  return {
    ...change,
    ...(errorCode !== undefined ? { errorCode } : {}),
    ...(errorTitle ? { errorTitle } : {}),
    ...(pricing && details.pricingCategory ? { pricingCategory: details.pricingCategory } : {}),
    ...(pricing && details.billable !== undefined ? { billable: details.billable } : {}),
    ...(charge ? { charge } : {}),
  };
}

/**
 * The event carries only ids and error codes; the error title and the pricing Meta sent sit on the
 * StatusChange item the normalizer wrote.
 */
async function withErrorDetails(
  change: StatusChange,
  event: StatusReceivedDetail,
  ref: MessageRef,
  providerMessageId: string | undefined,
  deps: StatusDeps,
): Promise<StatusChange> {
  if (!DETAILED_STATUSES.has(change.status)) return change;
  // Only WhatsApp reports pricing; other channels' receipts have nothing more to read unless failed.
  if (change.status !== 'failed' && event.channel !== 'whatsapp') return change;
  const errorCode = change.status === 'failed' ? event.errorCodes?.[0] : undefined;
  let recorded: Record<string, unknown> | undefined;
  if (providerMessageId) recorded = await deps.statuses.readStatusChange(ref.conversationKey, providerMessageId, change.status);
  const errorTitle = change.status === 'failed' ? (recorded?.errorTitle as string | undefined) : undefined;
  const pricingCategory = typeof recorded?.pricingCategory === 'string' ? recorded.pricingCategory : undefined;
  const billable = typeof recorded?.pricingBillable === 'boolean' ? recorded.pricingBillable : undefined;
  const pricing = change.status !== 'failed' ? recordedPricing(recorded) : undefined;
  const recipient = typeof recorded?.customerId === 'string' ? recorded.customerId : undefined;
  const charge = pricing ? priceWhatsAppMessage(pricing, recipientCountryOf(recipient), deps.rateCard ?? bundledRateCard()) : undefined;
  return {
    ...change,
    ...(errorCode !== undefined ? { errorCode } : {}),
    ...(errorTitle ? { errorTitle } : {}),
    ...(pricingCategory ? { pricingCategory } : {}),
    ...(billable !== undefined ? { billable } : {}),
    ...(charge ? { charge } : {}),
  };
}

/** The pricing a kept StatusChange item holds (record-normalized-event.ts), when it holds any. */
function recordedPricing(item: Record<string, unknown> | undefined): StatusPricing | undefined {
  if (!item) return undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const pricing: StatusPricing = {
    ...(text(item.pricingCategory) ? { category: text(item.pricingCategory) } : {}),
    ...(typeof item.pricingBillable === 'boolean' ? { billable: item.pricingBillable } : {}),
    ...(text(item.pricingModel) ? { pricingModel: text(item.pricingModel) } : {}),
    ...(text(item.pricingType) ? { type: text(item.pricingType) } : {}),
    ...(text(item.billingConversationOrigin) ? { conversationOrigin: text(item.billingConversationOrigin) } : {}),
  };
  return pricing.pricingModel !== undefined || pricing.category !== undefined || pricing.billable !== undefined ? pricing : undefined;
}

/**
 * Two conditional writes, cheapest first. The first moves the status forward and stamps the
 * time; if the message is already at or past this status, the second only stamps the time
 * (once: `if_not_exists`), so a late `delivered` still records when delivery happened.
 */
async function applyToMessage(ref: MessageRef, change: StatusChange, deps: StatusDeps): Promise<ApplyResult> {
  const rank = STATUS_RANK[change.status];
  const advance = async (): Promise<ApplyResult | undefined> => {
    const item = await deps.statuses.advanceStatus(ref, change);
    return item ? { result: 'advanced', item } : undefined;
  };
  /** Stamps the time (once) on a message already at or past this status; undefined when the condition refused. */
  const stamp = async (): Promise<ApplyResult | undefined> => {
    const item = await deps.statuses.stampStatusTime(ref, change);
    if (!item) return undefined;
    // This very event advanced the message on an earlier delivery, which may have died before
    // its announcement or the conversation metrics: report it as advanced again so neither is lost.
    if (item.statusEventId === change.eventId && item.statusRank === rank) return { result: 'advanced', item };
    return { result: 'recorded', item };
  };
  // WhatsApp's `sent` nearly always finds the message already recorded as sent: the sender wrote
  // the status, its own send time and the provider id when Meta accepted the send, and the pricing
  // Meta repeats on `delivered`. Reading that (a fifth of a write's price) spares a write that
  // would change nothing but still be billed, twice with the time index.
  if (change.status === 'sent') {
    const item = await deps.statuses.readSendState(ref);
    if (item && item.providerMessageId !== undefined && typeof item.statusRank === 'number' && item.statusRank >= rank) {
      return { result: 'recorded', item };
    }
  }
  // The advance is tried again when the stamp finds the message behind this status: the sender
  // recorded the send between the two (the advance found no provider id, the stamp found one). A
  // stamp without that condition would leave the time of a later status on a message still `sent`.
  return (await advance()) ?? (await stamp()) ?? (await advance()) ?? { result: 'missing' };
}
