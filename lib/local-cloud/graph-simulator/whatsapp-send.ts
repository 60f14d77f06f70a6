import type { WhatsAppNumber } from '#lib/local-cloud/graph-simulator/accounts';
import { CUSTOMER_SERVICE_WINDOW_MS } from '#lib/local-cloud/graph-simulator/customer-window';
import {
  invalidParameterError,
  pairRateLimitError,
  REENGAGEMENT_STATUS_ERROR,
  throughputLimitError,
  type GraphErrorResponse,
} from '#lib/local-cloud/graph-simulator/graph-errors';
import { injectedFault } from '#lib/local-cloud/graph-simulator/send-faults';
import { validateTemplateSend } from '#lib/local-cloud/graph-simulator/template-routes';
import { newWamid } from '#lib/local-cloud/graph-simulator/sim-ids';
import type { GraphResult, SimulatorContext } from '#lib/local-cloud/graph-simulator/simulator-context';
import type { DelayedStep } from '#lib/local-cloud/graph-simulator/status-scheduler';
import { guessTemplateCategory, priceMessage, type PricingCategory } from '#lib/local-cloud/graph-simulator/whatsapp-pricing';
import { whatsAppStatus, type WhatsAppStatus } from '#lib/local-cloud/graph-simulator/whatsapp-webhooks';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refused(error: GraphErrorResponse): GraphResult {
  return { status: error.status, response: error.body };
}

/**
 * `POST /{version}/{phone-number-id}/messages`: a mark-as-read, or a message that is validated
 * against the spec, paced by the throughput and pair limits, accepted, and followed by status
 * webhooks (or by a `failed` status when the customer service window has closed).
 */
export function handleWhatsAppMessages(ctx: SimulatorContext, number: WhatsAppNumber, body: unknown): GraphResult {
  if (isObject(body) && body.status === 'read') return markAsRead(body);

  const invalid = ctx.validator.validate(body);
  if (invalid) return refused(invalid);
  const message = body as Json & { to: string; type: string };
  const templateProblem = message.type === 'template' ? validateTemplateSend(ctx, number, message) : undefined;
  if (templateProblem) return refused(templateProblem);

  const fault = injectedFault(ctx.sendFaults, 'whatsapp', number.phoneNumberId);
  if (fault) return refused(fault);

  const recipientId = waIdOf(message);
  const pairKey = `${number.phoneNumberId}:${recipientId}`;
  if (!ctx.throughput.allows(number.phoneNumberId)) return refused(throughputLimitError());
  if (!ctx.pairLimiter.allows(pairKey)) return refused(pairRateLimitError());
  ctx.throughput.record(number.phoneNumberId);
  ctx.pairLimiter.record(pairKey);

  const messageId = newWamid(recipientId);
  const isTemplate = message.type === 'template';
  const contact = message.recipient_type === 'group' ? { input: message.to } : { input: message.to, wa_id: recipientId };
  const response = {
    messaging_product: 'whatsapp',
    contacts: [contact],
    // Meta reports template sends as `accepted`: delivery is decided later, by the statuses.
    messages: [isTemplate ? { id: messageId, message_status: 'accepted' } : { id: messageId }],
  };

  scheduleStatuses(ctx, number, message, messageId, recipientId);
  return { status: 200, response, channel: 'whatsapp', accountId: number.phoneNumberId, recipientId, messageId };
}

/** Meta answers with the digits of the number it was given as `wa_id`. */
function waIdOf(message: Json & { to: string }): string {
  if (message.recipient_type === 'group' || !/^[+\d\s().-]+$/.test(message.to)) return message.to.trim();
  return message.to.replace(/\D/g, '');
}

const MARK_AS_READ_KEYS = new Set(['messaging_product', 'status', 'message_id', 'typing_indicator', 'recipient_type']);

function markAsRead(body: Json): GraphResult {
  const unexpected = Object.keys(body).find((key) => !MARK_AS_READ_KEYS.has(key));
  if (unexpected) return refused(invalidParameterError(`Unexpected key "${unexpected}" on param "message".`, true));
  if (body.messaging_product !== 'whatsapp') {
    return refused(invalidParameterError('The parameter messaging_product is required.', true));
  }
  if (typeof body.message_id !== 'string' || body.message_id === '') {
    return refused(invalidParameterError('The parameter message_id is required.', true));
  }
  const typing = body.typing_indicator;
  if (typing !== undefined && !(isObject(typing) && typing.type === 'text')) {
    return refused(invalidParameterError(`Param typing_indicator['type'] must be one of {text}.`, true));
  }
  return { status: 200, response: { success: true } };
}

function categoryOf(ctx: SimulatorContext, number: WhatsAppNumber, message: Json): PricingCategory {
  if (message.type !== 'template' || !isObject(message.template)) return 'service';
  const name = String(message.template.name);
  const known = ctx.templates
    .list(number.wabaId)
    .find((t) => t.name === name)
    ?.category.toLowerCase() as PricingCategory | undefined;
  return ctx.config.templateCategories[name] ?? known ?? guessTemplateCategory(name);
}

function scheduleStatuses(ctx: SimulatorContext, number: WhatsAppNumber, message: Json, messageId: string, recipientId: string): void {
  const { statusDelaysMs, enforce24hWindow } = ctx.config;
  const windowOpen = ctx.windows.isOpen('whatsapp', number.phoneNumberId, recipientId, ctx.clock(), CUSTOMER_SERVICE_WINDOW_MS);
  const opaque = typeof message.biz_opaque_callback_data === 'string' ? message.biz_opaque_callback_data : undefined;
  const post = (status: Omit<WhatsAppStatus, 'number' | 'messageId' | 'recipientId' | 'timestampSec'>) => () =>
    ctx.webhooks.post(
      'status',
      'whatsapp',
      whatsAppStatus({
        number,
        messageId,
        recipientId,
        timestampSec: Math.floor(ctx.clock() / 1000),
        ...(opaque === undefined ? {} : { bizOpaqueCallbackData: opaque }),
        ...status,
      }),
    );

  // Like Meta: the API accepts a free-form message outside the window, then reports it failed.
  if (message.type !== 'template' && enforce24hWindow && !windowOpen) {
    ctx.scheduler.schedule([{ delayMs: statusDelaysMs.sent, run: post({ status: 'failed', errors: [REENGAGEMENT_STATUS_ERROR] }) }]);
    return;
  }

  const category = categoryOf(ctx, number, message);
  const conversation = ctx.conversations.conversationFor(number.phoneNumberId, recipientId, category, ctx.clock());
  const pricing = priceMessage(category, windowOpen);
  const steps: DelayedStep[] = [
    { delayMs: statusDelaysMs.sent, run: post({ status: 'sent', conversation, pricing }) },
    { delayMs: statusDelaysMs.delivered, run: post({ status: 'delivered', conversation, pricing }) },
  ];
  if (statusDelaysMs.read !== false) steps.push({ delayMs: statusDelaysMs.read, run: post({ status: 'read' }) });
  ctx.scheduler.schedule(steps);
}
