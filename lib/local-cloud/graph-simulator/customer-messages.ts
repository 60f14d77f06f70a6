import { defaultAccountId, isSimChannel, LOCAL_CUSTOMER_IDS, LOCAL_CUSTOMER_NAME, type SimChannel } from '#lib/local-cloud/graph-simulator/accounts';
import { resolveReply, type ReplyTap } from '#lib/local-cloud/graph-simulator/business-message-options';
import { messagingCustomerMessage, type InboundAttachment, type MessagingCustomerContent } from '#lib/local-cloud/graph-simulator/messaging-webhooks';
import { webhookSecretFor } from '#lib/local-cloud/graph-simulator/instagram-login-state';
import { newInstagramMid, newMessengerMid, newWamid } from '#lib/local-cloud/graph-simulator/sim-ids';
import type { SimulatorContext } from '#lib/local-cloud/graph-simulator/simulator-context';
import { whatsAppCustomerMessage, type CustomerContent, type InboundMedia } from '#lib/local-cloud/graph-simulator/whatsapp-webhooks';

/** What a test or the chat asks the simulated customer to send. */
export interface CustomerMessageInput {
  channel: SimChannel;
  /** Business account written to; the channel's local default when absent. */
  accountId?: string;
  /** wa_id, IGSID or PSID; the channel's local customer when absent. */
  customerId?: string;
  /** Profile name (WhatsApp puts it in `contacts[].profile.name`). */
  name?: string;
  text?: string;
  /** A tap on a button, list row, quick reply or postback the business offered. */
  reply?: ReplyTap;
  /** An attachment; its bytes are served by the simulator like Meta's media. */
  media?: { mimeType: string; base64: string; caption?: string; filename?: string };
}

export interface CustomerMessageResult {
  id: string;
  /** HTTP status the webhook endpoint answered; null when it could not be reached. */
  webhookStatus: number | null;
  webhookError?: string;
}

export class CustomerInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CustomerInputError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(body: Json, key: string): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new CustomerInputError(`${key} must be a non-empty string`);
  return value.trim();
}

/** Checks the control API body; throws CustomerInputError with a reason a person can act on. */
export function parseCustomerMessageInput(body: unknown): CustomerMessageInput {
  if (!isObject(body)) throw new CustomerInputError('the body must be a JSON object');
  if (!isSimChannel(body.channel)) throw new CustomerInputError('channel must be whatsapp, instagram or messenger');
  const input: CustomerMessageInput = { channel: body.channel };
  const accountId = optionalString(body, 'accountId');
  const customerId = optionalString(body, 'customerId');
  const name = optionalString(body, 'name');
  if (accountId !== undefined) input.accountId = accountId;
  if (customerId !== undefined) input.customerId = customerId;
  if (name !== undefined) input.name = name;
  if (body.text !== undefined) {
    if (typeof body.text !== 'string' || body.text === '') throw new CustomerInputError('text must be a non-empty string');
    input.text = body.text;
  }
  if (body.reply !== undefined) {
    const reply = body.reply;
    if (!isObject(reply) || typeof reply.id !== 'string' || reply.id === '') {
      throw new CustomerInputError('reply must be { id, title? } with a non-empty id');
    }
    input.reply = typeof reply.title === 'string' ? { id: reply.id, title: reply.title } : { id: reply.id };
  }
  if (body.media !== undefined) {
    const media = body.media;
    if (!isObject(media) || typeof media.mimeType !== 'string' || typeof media.base64 !== 'string') {
      throw new CustomerInputError('media must be { mimeType, base64, caption?, filename? }');
    }
    input.media = { mimeType: media.mimeType, base64: media.base64 };
    if (typeof media.caption === 'string') input.media.caption = media.caption;
    if (typeof media.filename === 'string') input.media.filename = media.filename;
  }
  const kinds = [input.text, input.reply, input.media].filter((v) => v !== undefined).length;
  if (kinds !== 1) throw new CustomerInputError('give exactly one of text, reply or media');
  return input;
}

function mediaKind(mimeType: string): InboundMedia['kind'] {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('audio/')) return 'audio';
  if (mimeType.startsWith('video/')) return 'video';
  return 'document';
}

/**
 * Plays the customer: builds the webhook Meta would post for this message, records the time
 * (it opens the 24-hour window), signs and posts it, and says how the endpoint answered.
 */
export async function sendCustomerMessage(ctx: SimulatorContext, input: CustomerMessageInput): Promise<CustomerMessageResult> {
  const { channel } = input;
  const accountId = input.accountId ?? defaultAccountId(channel);
  const customerId = input.customerId ?? LOCAL_CUSTOMER_IDS[channel];
  const name = input.name ?? LOCAL_CUSTOMER_NAME;
  const now = ctx.clock();

  let id: string;
  let payload: unknown;
  if (channel === 'whatsapp') {
    const number = ctx.config.whatsappNumbers.find((n) => n.phoneNumberId === accountId);
    if (!number) throw new CustomerInputError(`unknown WhatsApp phone number id ${accountId}; add it to whatsappNumbers`);
    id = newWamid(customerId);
    payload = whatsAppCustomerMessage({
      number,
      customerId,
      name,
      messageId: id,
      timestampSec: Math.floor(now / 1000),
      content: whatsAppContent(ctx, input, customerId, number.displayPhoneNumber),
    });
  } else {
    const known = channel === 'instagram' ? ctx.config.instagramAccountIds : ctx.config.pageIds;
    if (!known.includes(accountId)) throw new CustomerInputError(`unknown ${channel} account ${accountId}`);
    id = channel === 'instagram' ? newInstagramMid(accountId) : newMessengerMid();
    payload = messagingCustomerMessage({
      channel,
      accountId,
      customerId,
      timestampMs: now,
      mid: id,
      content: messagingContent(ctx, input, customerId),
    });
  }

  // Recorded before posting: the business may answer while the webhook request is still open.
  ctx.windows.recordCustomerMessage({ channel, accountId, customerId, name, lastMessageAt: now });
  const delivery = await ctx.webhooks.post('customer_message', channel, payload, webhookSecretFor(ctx, channel, accountId));
  const result: CustomerMessageResult = { id, webhookStatus: delivery.status };
  if (delivery.error !== undefined) result.webhookError = delivery.error;
  return result;
}

function whatsAppContent(ctx: SimulatorContext, input: CustomerMessageInput, customerId: string, businessDisplayNumber: string): CustomerContent {
  if (input.reply) {
    const reply = resolveReply('whatsapp', ctx.outbox.messagesTo('whatsapp', customerId), input.reply);
    return { reply, businessDisplayNumber };
  }
  if (input.media) {
    const media = ctx.media.register({ mimeType: input.media.mimeType, bytes: Buffer.from(input.media.base64, 'base64') });
    // Inbound webhooks carry the digest in base64; the media URL object carries it in hex.
    const sha256 = Buffer.from(media.sha256, 'hex').toString('base64');
    const inbound: InboundMedia = { kind: mediaKind(media.mimeType), id: media.id, mimeType: media.mimeType, sha256 };
    if (input.media.caption !== undefined) inbound.caption = input.media.caption;
    if (input.media.filename !== undefined) inbound.filename = input.media.filename;
    return { media: inbound };
  }
  return { text: input.text ?? '' };
}

function messagingContent(ctx: SimulatorContext, input: CustomerMessageInput, customerId: string): MessagingCustomerContent {
  if (input.reply) return { reply: resolveReply(input.channel, ctx.outbox.messagesTo(input.channel, customerId), input.reply) };
  if (input.media) {
    const media = ctx.media.register({ mimeType: input.media.mimeType, bytes: Buffer.from(input.media.base64, 'base64') });
    const kind = mediaKind(media.mimeType);
    const type: InboundAttachment['type'] = kind === 'document' ? 'file' : kind;
    // Instagram and Messenger attachments carry a CDN URL that needs no token.
    return { attachment: { type, url: new URL(`/_sim/cdn/${media.id}`, ctx.baseUrl()).toString() } };
  }
  return { text: input.text ?? '' };
}
