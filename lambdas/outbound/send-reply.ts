import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import type { InstagramApi } from '#lambdas/accounts/channel-account';
import { GraphApiError, type GraphApiClient } from '#lambdas/adapters/graph-api-client';
import type { AccessTokenFor } from '#lambdas/outbound/access-tokens';
import { buildGraphRequest, buildMarkReadRequest, type GraphConfig } from '#lambdas/outbound/build-graph-request';
import { limitsFromAccount } from '#lambdas/outbound/channel-account-limits';
import { retryBackoffMs, PAIR_RATE_LIMIT_CODE } from '#lambdas/outbound/retry-backoff';
import type { ReplyRef } from '#lambdas/outbound/reply-store';
import { readSendContext } from '#lambdas/outbound/send-context';
import type { SendStores } from '#lambdas/outbound/send-stores';
import type { PacingLimits, SendPacer } from '#lambdas/outbound/send-pacing';
import { decideSendPermission, type SendRefusal } from '#lambdas/outbound/send-rules';
import { outboundMessageSchema, type OutboundMessage } from '#lambdas/outbound/outbound-message';
import { parseSendResponse, type SendAccepted } from '#lambdas/outbound/parse-send-response';
import { replyRequestedDetailSchema, type ReplyRequestedDetail } from '#lambdas/outbound/reply-requested';
import { EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { messageStatusChangedEvent } from '#lambdas/status/message-status-changed';
import { UnexpectedSendResponseError, SendDeferredError } from '#lambdas/outbound/errors';

export interface SendServices {
  publisher: EventPublisher;
  graph: GraphApiClient;
  accessTokenFor: AccessTokenFor;
  graphConfig: GraphConfig;
  /** The API an Instagram account is served through (the registry's `api`); Page-linked when absent. */
  instagramApiFor?: (accountId: string) => Promise<InstagramApi | undefined>;
  now?: () => Date;
  /**
   * Paces WhatsApp sends per number and per recipient across instances. Without one nothing is
   * paced (unit tests); the handler always gives one.
   */
  pacer?: SendPacer;
  /** The number's limits (throughput, pair); Meta's defaults when absent. */
  limitsFor?: (accountId: string) => Promise<PacingLimits>;
  /** Longest wait spent inside the Lambda for pacing or backoff; a longer one hands the record back. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Milliseconds left before the invocation is cut off (Lambda's `getRemainingTimeInMillis`).
   * A send is claimed only when the pacing wait and the Graph calls fit in what is left: an
   * invocation cut off between the claim and recording the answer leaves the reply `sending`,
   * which is never sent again since Meta may have taken it. Absent: no deadline (unit tests).
   */
  remainingMs?: () => number;
  /** The Graph client's timeout per request, to know how long a call may take. */
  graphTimeoutMs?: number;
}

/** The sender's services and its stores (outbound/send-stores.ts). */
export type SendReplyDeps = SendServices & SendStores;

const DEFAULT_MAX_WAIT_MS = 2_000;
const DEFAULT_GRAPH_TIMEOUT_MS = 10_000;
/** Time kept for the DynamoDB writes that record a send's answer, and for the invocation to return. */
const RECORDING_MARGIN_MS = 3_000;
/** How soon a send deferred for lack of time in its invocation is tried again. */
const DEADLINE_RETRY_MS = 1_000;

/** True when at least `neededMs` are left in the invocation (always, without a deadline). */
function timeLeftFor(deps: SendReplyDeps, neededMs: number): boolean {
  return deps.remainingMs === undefined || deps.remainingMs() >= neededMs;
}

export type SendOutcome =
  | { outcome: 'invalid'; issues: string[] }
  | { outcome: 'missing_message' }
  | { outcome: 'sent'; providerMessageId: string }
  | { outcome: 'already_done'; status: string }
  /**
   * The message is `sending`: another attempt is in flight, or one died between the Graph call
   * and recording its result. Meta may have sent it, so it is not sent again.
   */
  | { outcome: 'outcome_unknown'; reason: 'in_flight_or_interrupted' | 'unexpected_response' }
  | { outcome: 'failed'; classification: 'permanent' | 'auth'; errorCode?: number }
  /** Meta's rules forbid this message (closed window, missing consent); it is `failed` with that reason. */
  | { outcome: 'refused'; reason: SendRefusal };

const DONE_STATUSES = new Set(['sent', 'delivered', 'read', 'played', 'failed']);

/**
 * `reply.requested` → one Graph API send. The item moves `pending → sending` by a conditional
 * update before the call, so of any number of concurrent or repeated deliveries exactly one
 * calls Meta; afterwards it becomes `sent` (with the provider id receipts will name), goes back
 * to `pending` on a retryable error (and the record is retried), or becomes `failed`.
 */
export async function sendReply(detail: unknown, deps: SendReplyDeps): Promise<SendOutcome> {
  const parsed = replyRequestedDetailSchema.safeParse(detail);
  if (!parsed.success) return invalid(parsed.error.issues);
  const request = parsed.data;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();

  const stored = await loadMessage(request, deps);
  if (!stored) return { outcome: 'missing_message' };
  const item = outboundMessageSchema.safeParse(stored);
  if (!item.success) return invalid(item.error.issues, 'item');
  let message = item.data;
  if (message.status !== 'pending') return settled(request, message, now(), deps);

  const context = await readSendContext(deps.sendContext, {
    conversationKey: request.conversationKey,
    accountId: message.accountId,
    customerId: message.customerId ?? message.recipientId,
    withConsent: message.template?.category === 'marketing',
  });
  const permission = decideSendPermission({
    channel: message.channel,
    origin: message.origin ?? 'agent',
    ...(message.type === 'template' && message.template ? { templateCategory: message.template.category } : {}),
    ...(context.lastInboundAt ? { lastInboundAt: context.lastInboundAt } : {}),
    ...(context.consent ? { consent: context.consent } : {}),
    now: (deps.now ?? (() => new Date()))(),
  });
  if (!permission.allowed) return refuse(request, message, permission.reason, now(), deps);

  // Everything that can fail without touching Meta happens before the claim, so such a failure
  // leaves the message `pending` for the retry.
  const accessToken = await deps.accessTokenFor(message.accountId);
  const instagramApi = message.channel === 'instagram' ? await deps.instagramApiFor?.(message.accountId) : undefined;
  const graphRequest = buildGraphRequest(message, deps.graphConfig, { humanAgentTag: permission.humanAgentTag, ...(instagramApi ? { instagramApi } : {}) });
  await waitForBackoff(message, deps);

  const graphTimeoutMs = deps.graphTimeoutMs ?? DEFAULT_GRAPH_TIMEOUT_MS;
  const { maxWaitMs } = clockOf(deps);
  // Claim only what this invocation can finish: the pacing wait, the send and recording its answer.
  if (!timeLeftFor(deps, maxWaitMs + graphTimeoutMs + RECORDING_MARGIN_MS)) throw new SendDeferredError(DEADLINE_RETRY_MS, 'deadline');

  const claimedAt = now();
  if (!(await claim(request, claimedAt, deps))) {
    const current = await loadMessage(request, deps);
    if (!current) return { outcome: 'missing_message' };
    message = outboundMessageSchema.parse(current);
    return settled(request, message, now(), deps);
  }
  // Paced after the claim, so that nothing slow stands between the reserved slot and the request:
  // a send that leaves late bunches with the ones on time and trips the limit it was paced for.
  try {
    await waitForSlot(message, deps);
  } catch (err) {
    await unclaim(request, deps);
    throw err;
  }

  if (!timeLeftFor(deps, graphTimeoutMs + RECORDING_MARGIN_MS)) {
    // The pacing wait ate the time the send needs: hand the claim back, untouched at Meta.
    await unclaim(request, deps);
    throw new SendDeferredError(DEADLINE_RETRY_MS, 'deadline');
  }

  const markRead = buildMarkReadRequest(message, deps.graphConfig);
  // A courtesy call, made only when it cannot push the send past the invocation's end.
  if (markRead && timeLeftFor(deps, 2 * graphTimeoutMs + RECORDING_MARGIN_MS)) {
    // A courtesy: the reply matters more than the blue ticks, so its failure is not the send's.
    await deps.graph.post(markRead, accessToken).catch(() => undefined);
  }

  let accepted: SendAccepted;
  try {
    accepted = parseSendResponse(message.channel, await deps.graph.post(graphRequest, accessToken));
  } catch (err) {
    if (err instanceof UnexpectedSendResponseError) {
      await noteOutcomeUnknown(request, now(), deps);
      return { outcome: 'outcome_unknown', reason: 'unexpected_response' };
    }
    if (!(err instanceof GraphApiError)) throw err;
    if (err.classification === 'retryable') {
      err.retryAfterMs = await release(request, message, err, deps);
      throw err;
    }
    const failedAt = now();
    await markFailed(request, err, failedAt, deps);
    if (err.classification === 'auth') await markAccountNeedsReauthorisation(message.accountId, err, failedAt, deps);
    await announceFailure(request, message, err.code, failedAt, deps);
    return { outcome: 'failed', classification: err.classification, ...(err.code !== undefined ? { errorCode: err.code } : {}) };
  }
  await recordSent(request, message, accepted, now(), deps);
  return { outcome: 'sent', providerMessageId: accepted.providerMessageId };
}

function invalid(issues: Array<{ path: PropertyKey[]; code: string }>, prefix?: string): SendOutcome {
  return {
    outcome: 'invalid',
    issues: issues.map((i) => `${[...(prefix ? [prefix] : []), ...i.path.map(String)].join('.')}: ${i.code}`),
  };
}

/** The reply a request names. */
function replyOf(request: ReplyRequestedDetail): ReplyRef {
  return { conversationKey: request.conversationKey, outboundId: request.outboundId };
}

async function loadMessage(request: ReplyRequestedDetail, deps: SendReplyDeps): Promise<Record<string, unknown> | undefined> {
  return deps.replies.loadReply(replyOf(request));
}

/** A message past `pending` is someone else's business; only a failure not yet announced is finished here. */
async function settled(request: ReplyRequestedDetail, message: OutboundMessage, at: string, deps: SendReplyDeps): Promise<SendOutcome> {
  if (message.status === 'sending') return { outcome: 'outcome_unknown', reason: 'in_flight_or_interrupted' };
  if (message.status === 'failed' && !message.failureAnnouncedAt) {
    await announceFailure(request, message, message.errorCode, message.failedAt ?? at, deps, message.failureReason);
  }
  return DONE_STATUSES.has(message.status)
    ? { outcome: 'already_done', status: message.status }
    : { outcome: 'outcome_unknown', reason: 'in_flight_or_interrupted' };
}

async function claim(request: ReplyRequestedDetail, at: string, deps: SendReplyDeps): Promise<boolean> {
  return deps.replies.claimReply(replyOf(request), at);
}

/**
 * Back to `pending` so that the queue's retry may claim it again, not before its backoff (returned,
 * in ms). After a pair-rate refusal the whole recipient is held for that long, not only this message.
 */
async function release(request: ReplyRequestedDetail, message: OutboundMessage, err: GraphApiError, deps: SendReplyDeps): Promise<number> {
  const nowDate = (deps.now ?? (() => new Date()))();
  const attempt = (message.attempts ?? 0) + 1;
  const notBefore = nowDate.getTime() + retryBackoffMs(err.code, attempt);
  if (err.code === PAIR_RATE_LIMIT_CODE && deps.pacer) {
    const limits = deps.limitsFor ? await deps.limitsFor(message.accountId) : limitsFromAccount(undefined);
    await deps.pacer.holdRecipient({ accountId: message.accountId, recipientId: message.recipientId }, limits.pair, notBefore);
  }
  await deps.replies.releaseForRetry(replyOf(request), { at: nowDate.toISOString(), code: err.code ?? err.httpStatus ?? null, notBeforeMs: notBefore });
  return notBefore - nowDate.getTime();
}

function clockOf(deps: SendReplyDeps) {
  return {
    nowMs: () => (deps.now ?? (() => new Date()))().getTime(),
    sleep: deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
    maxWaitMs: deps.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
  };
}

/** Waits out the backoff of an earlier retryable failure, or hands the record back when it is long. */
async function waitForBackoff(message: OutboundMessage, deps: SendReplyDeps): Promise<void> {
  const { nowMs, sleep, maxWaitMs } = clockOf(deps);
  const backoff = (message.retryNotBeforeMs ?? 0) - nowMs();
  if (backoff > maxWaitMs) throw new SendDeferredError(backoff, 'backoff');
  if (backoff > 0) await sleep(backoff);
}

/**
 * Waits for the message's pacing slot, or hands the record back when the wait would be long. Only
 * WhatsApp is paced: the throughput and pair limits are WhatsApp's.
 */
async function waitForSlot(message: OutboundMessage, deps: SendReplyDeps): Promise<void> {
  if (message.channel !== 'whatsapp' || !deps.pacer) return;
  const { nowMs, sleep, maxWaitMs } = clockOf(deps);
  const limits = deps.limitsFor ? await deps.limitsFor(message.accountId) : limitsFromAccount(undefined);
  const decision = await deps.pacer.reserve({ accountId: message.accountId, recipientId: message.recipientId }, limits, maxWaitMs);
  if (!decision.go) throw new SendDeferredError(decision.retryAfterMs, decision.limit === 'pair' ? 'pair_limit' : 'number_limit');
  const wait = decision.sendAtMs - nowMs();
  if (wait > 0) await sleep(wait);
}

/** Nothing was sent: back to `pending`, and the claim does not count as an attempt. */
async function unclaim(request: ReplyRequestedDetail, deps: SendReplyDeps): Promise<void> {
  await deps.replies.unclaimReply(replyOf(request));
}

/** Refused by our reading of Meta's rules: `failed` straight from `pending`, announced like any failure. */
async function refuse(request: ReplyRequestedDetail, message: OutboundMessage, reason: SendRefusal, at: string, deps: SendReplyDeps): Promise<SendOutcome> {
  if (!(await deps.replies.refuseReply(replyOf(request), { at, reason }))) {
    // Someone else moved it on first; whatever they did stands.
    const current = await loadMessage(request, deps);
    if (!current) return { outcome: 'missing_message' };
    return settled(request, outboundMessageSchema.parse(current), at, deps);
  }
  await announceFailure(request, message, undefined, at, deps, reason);
  return { outcome: 'refused', reason };
}

async function markFailed(request: ReplyRequestedDetail, err: GraphApiError, at: string, deps: SendReplyDeps): Promise<void> {
  await deps.replies.markFailed(replyOf(request), {
    at,
    code: err.code ?? err.httpStatus ?? null,
    title: err.message,
    classification: err.classification,
    ...(err.details ? { details: err.details } : {}),
  });
}

/**
 * Meta refused the account's token (190): every further send would fail too, so the channel account
 * says so for the operators (and onboarding, which re-authorises it). The handler's
 * `GraphTokenInvalid` metric is what an alarm watches.
 */
async function markAccountNeedsReauthorisation(accountId: string, err: GraphApiError, at: string, deps: SendReplyDeps): Promise<void> {
  await deps.sendingAccounts.markNeedsReauthorisation(accountId, { at, code: err.code ?? null, subcode: err.subcode ?? null });
}

/** Published after the failure is stored and marked once published, so it is announced at least once. */
async function announceFailure(
  request: ReplyRequestedDetail,
  message: OutboundMessage,
  errorCode: number | undefined,
  failedAt: string,
  deps: SendReplyDeps,
  reason?: string,
): Promise<void> {
  await deps.publisher.publish([
    messageStatusChangedEvent(EVENT_SOURCE.outbound, {
      conversationKey: request.conversationKey,
      messageId: request.outboundId,
      channel: message.channel,
      accountId: message.accountId,
      status: 'failed',
      occurredAt: failedAt,
      ...(errorCode !== undefined ? { errorCode } : {}),
      ...(reason !== undefined ? { reason } : {}),
    }),
  ]);
  await deps.replies.markFailureAnnounced(replyOf(request), failedAt);
}

async function noteOutcomeUnknown(request: ReplyRequestedDetail, at: string, deps: SendReplyDeps): Promise<void> {
  await deps.replies.noteOutcomeUnknown(replyOf(request), at);
}

/**
 * The provider id starts pointing at the message, then the message becomes `sent` with that id:
 * two single-item writes instead of a transaction, which DynamoDB bills twice. Status tracking
 * treats a message without its provider id as not yet known (the receipt is retried), so a receipt
 * still either finds a sent message or waits; an echo finding the pointer while the message is
 * still `sending` is recognised as our own. If the sender dies between the two writes, the message
 * stays `sending` (outcome unknown, never sent again), as it would had it died before both. The
 * pointer is written without a condition: the provider id is Meta's answer to this very send, and
 * if the echo of this message got there first, the pointer should lead to our item, which carries
 * the status history.
 */
async function recordSent(request: ReplyRequestedDetail, message: OutboundMessage, accepted: SendAccepted, at: string, deps: SendReplyDeps): Promise<void> {
  await deps.replies.pointProviderId({
    providerMessageId: accepted.providerMessageId,
    conversationKey: request.conversationKey,
    messageSk: message.sk,
    ...(message.expiresAt !== undefined ? { expiresAt: message.expiresAt } : {}),
  });
  // Refused only when a receipt for this very send got there first and recorded it from Meta's
  // callback data (status/complete-interrupted-send.ts): the same send, the same provider id.
  await deps.replies.recordSent(replyOf(request), {
    providerMessageId: accepted.providerMessageId,
    ...(accepted.recipientWaId ? { recipientWaId: accepted.recipientWaId } : {}),
    at,
  });
}
