import { CUSTOMER_SERVICE_WINDOW_MS, HUMAN_AGENT_WINDOW_MS } from '#lib/local-cloud/graph-simulator/customer-window';
import { invalidParameterError, outsideWindowError, type GraphErrorResponse } from '#lib/local-cloud/graph-simulator/graph-errors';
import { instagramSeen, messengerDelivery, messengerRead, type MessagingChannel } from '#lib/local-cloud/graph-simulator/messaging-webhooks';
import { webhookSecretFor } from '#lib/local-cloud/graph-simulator/instagram-login-state';
import { injectedFault } from '#lib/local-cloud/graph-simulator/send-faults';
import { newInstagramMid, newMessengerMid } from '#lib/local-cloud/graph-simulator/sim-ids';
import type { GraphResult, SimulatorContext } from '#lib/local-cloud/graph-simulator/simulator-context';
import type { DelayedStep } from '#lib/local-cloud/graph-simulator/status-scheduler';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refused(error: GraphErrorResponse): GraphResult {
  return { status: error.status, response: error.body };
}

function invalid(message: string): GraphResult {
  return refused(invalidParameterError(message, false));
}

const SENDER_ACTIONS = ['typing_on', 'typing_off', 'mark_seen', 'react', 'unreact'];
const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'];
const QUICK_REPLY_TYPES = ['text', 'user_phone_number', 'user_email'];
const MAX_TEXT_LENGTH = 2000;
const MAX_QUICK_REPLIES = 13;
/** Messenger tags that allow an update outside the 24-hour window, whatever its age. */
const MESSENGER_UPDATE_TAGS = ['CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE'];

function recipientIdOf(body: Json): string | undefined {
  const recipient = body.recipient;
  if (!isObject(recipient)) return undefined;
  const id = recipient.id;
  if (typeof id === 'string' && id.trim() !== '') return id.trim();
  return typeof id === 'number' ? String(id) : undefined;
}

/** The checks the Send API makes before it accepts anything; returns the refusal, if any. */
function findProblem(body: Json): GraphResult | undefined {
  if (recipientIdOf(body) === undefined) return invalid('The parameter recipient is required');
  const hasMessage = body.message !== undefined;
  const hasAction = body.sender_action !== undefined;
  if (!hasMessage && !hasAction) return invalid('Must send either message or sender_action');
  if (hasMessage && hasAction) return invalid('sender_action cannot be sent with message; send it as a separate request');
  if (hasAction && !SENDER_ACTIONS.includes(String(body.sender_action))) {
    return invalid(`Param sender_action must be one of {${SENDER_ACTIONS.join(', ')}} - got ${JSON.stringify(body.sender_action)}`);
  }
  if (body.messaging_type !== undefined && !MESSAGING_TYPES.includes(String(body.messaging_type))) {
    return invalid(`Param messaging_type must be one of {${MESSAGING_TYPES.join(', ')}} - got ${JSON.stringify(body.messaging_type)}`);
  }
  if (body.messaging_type === 'MESSAGE_TAG' && typeof body.tag !== 'string') {
    return invalid('Tag is required for MESSAGE_TAG messaging type');
  }
  return hasMessage ? findMessageProblem(body.message) : undefined;
}

function findMessageProblem(message: unknown): GraphResult | undefined {
  if (!isObject(message)) return invalid('Param message must be a JSON object');
  const { text, attachment, quick_replies: quickReplies } = message;
  const hasText = typeof text === 'string' && text !== '';
  const hasAttachment = isObject(attachment) && typeof attachment.type === 'string' && isObject(attachment.payload);
  if (!hasText && !hasAttachment) return invalid('Message cannot be empty, must provide valid attachment or text');
  if (hasText && text.length > MAX_TEXT_LENGTH) {
    return invalid(`Length of param message[text] must be less than or equal to ${MAX_TEXT_LENGTH}`);
  }
  if (quickReplies === undefined) return undefined;
  if (!Array.isArray(quickReplies) || quickReplies.length === 0 || quickReplies.length > MAX_QUICK_REPLIES) {
    return invalid(`Param message[quick_replies] must be an array of 1 to ${MAX_QUICK_REPLIES} items`);
  }
  for (const [index, reply] of quickReplies.entries()) {
    const param = `message[quick_replies][${index}]`;
    if (!isObject(reply) || !QUICK_REPLY_TYPES.includes(String(reply.content_type))) {
      return invalid(`Param ${param}[content_type] must be one of {${QUICK_REPLY_TYPES.join(', ')}}`);
    }
    if (reply.content_type === 'text' && (typeof reply.title !== 'string' || reply.title === '')) {
      return invalid(`Param ${param}[title] must be non-empty`);
    }
    if (reply.content_type === 'text' && (typeof reply.payload !== 'string' || reply.payload === '')) {
      return invalid(`Param ${param}[payload] must be non-empty`);
    }
  }
  return undefined;
}

/**
 * A free-form message needs the customer to have written in the last 24 hours; a human agent
 * (`HUMAN_AGENT` tag) has 7 days, and Messenger's update tags have no window.
 */
function windowAllows(ctx: SimulatorContext, channel: MessagingChannel, accountId: string, customerId: string, body: Json): boolean {
  if (!ctx.config.enforce24hWindow) return true;
  const now = ctx.clock();
  if (ctx.windows.isOpen(channel, accountId, customerId, now, CUSTOMER_SERVICE_WINDOW_MS)) return true;
  if (body.messaging_type !== 'MESSAGE_TAG') return false;
  if (body.tag === 'HUMAN_AGENT') return ctx.windows.isOpen(channel, accountId, customerId, now, HUMAN_AGENT_WINDOW_MS);
  return channel === 'messenger' && MESSENGER_UPDATE_TAGS.includes(String(body.tag));
}

/** `POST /{version}/{page-or-ig-id|me}/messages` on the Messenger or Instagram Send API. */
export function handleMessagingSend(ctx: SimulatorContext, channel: MessagingChannel, accountId: string, body: unknown): GraphResult {
  if (!isObject(body)) return invalid('Invalid parameter');
  const problem = findProblem(body);
  if (problem) return problem;
  const customerId = recipientIdOf(body) as string;

  // Typing indicators and mark_seen are answered but are not messages: no id, no receipts.
  if (body.sender_action !== undefined) return { status: 200, response: { recipient_id: customerId } };
  const fault = injectedFault(ctx.sendFaults, channel, accountId);
  if (fault) return refused(fault);
  if (!windowAllows(ctx, channel, accountId, customerId, body)) return refused(outsideWindowError(channel));

  const messageId = channel === 'instagram' ? newInstagramMid(accountId) : newMessengerMid();
  scheduleReceipts(ctx, channel, accountId, customerId, messageId);
  return {
    status: 200,
    response: { recipient_id: customerId, message_id: messageId },
    channel,
    accountId,
    recipientId: customerId,
    messageId,
  };
}

/** Messenger reports delivery then read (by watermark); Instagram only reports the message seen. */
function scheduleReceipts(ctx: SimulatorContext, channel: MessagingChannel, accountId: string, customerId: string, mid: string): void {
  const { delivered, read } = ctx.config.statusDelaysMs;
  const sentAt = ctx.clock();
  const event = () => ({ accountId, customerId, timestampMs: ctx.clock() });
  const steps: DelayedStep[] = [];
  if (channel === 'messenger') {
    steps.push({
      delayMs: delivered,
      run: () => ctx.webhooks.post('receipt', channel, messengerDelivery({ ...event(), mids: [mid], watermark: sentAt })),
    });
    if (read !== false) {
      steps.push({
        delayMs: read,
        run: () => ctx.webhooks.post('receipt', channel, messengerRead({ ...event(), watermark: sentAt })),
      });
    }
  } else if (read !== false) {
    steps.push({
      delayMs: delivered + read,
      run: () => ctx.webhooks.post('receipt', channel, instagramSeen({ ...event(), mid }), webhookSecretFor(ctx, channel, accountId)),
    });
  }
  if (steps.length > 0) ctx.scheduler.schedule(steps);
}
