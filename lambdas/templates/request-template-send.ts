import { z } from 'zod';
import type { AccountRegistry } from '#lambdas/accounts/account-registry';
import { isServing } from '#lambdas/accounts/channel-account';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { conversationKey as whatsappConversationKey } from '#lambdas/conversation/conversation-key';
import { conversationPk, expiresAt, messageSk, messageTimeSk } from '#lambdas/conversation/table-keys';
import type { OutboundMessageItem, OutboundTemplate } from '#lambdas/outbound/outbound-message';
import { replyRequestedEvent } from '#lambdas/outbound/reply-requested';
import { readSendContext } from '#lambdas/outbound/send-context';
import type { SendContextStore } from '#lambdas/outbound/send-context-store';
import { decideSendPermission } from '#lambdas/outbound/send-rules';
import { EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { sha256Hex } from '#lambdas/shared/hash';
import { templateSk } from '#lambdas/templates/template-item';
import type { TemplateStore } from '#lambdas/templates/template-store';
import { buildTemplateComponents, templateVariablesSchema } from '#lambdas/templates/template-variables';
import { TemplateVariablesError, TemplateRequestError } from '#lambdas/templates/errors';

export const templateSendSchema = z
  .object({
    /** The business number sending: its WhatsApp phone number id. */
    accountId: z.string().max(100).regex(/^\d+$/, 'a WhatsApp phone number id'),
    /** The customer's wa_id, or the conversation key `wa:<phone number id>:<wa_id>`. */
    customerId: z
      .string()
      .regex(/^\d{5,20}$/, 'a wa_id (digits only)')
      .optional(),
    conversationKey: z.string().min(1).max(1000).optional(),
    name: z.string().min(1).max(512),
    language: z.string().min(2).max(15),
    variables: templateVariablesSchema.optional(),
    /** The caller's idempotency key: the same request again names the same message and sends nothing twice. */
    requestId: z.string().min(1).max(200),
  })
  .strict()
  .refine((b) => (b.customerId === undefined) !== (b.conversationKey === undefined), 'give exactly one of customerId or conversationKey');
export type TemplateSendRequest = z.infer<typeof templateSendSchema>;

export interface TemplateSendDeps {
  /** The stored templates, and the template messages written. */
  templates: TemplateStore;
  /** The channel account registry, read as it is now. */
  registry: Pick<AccountRegistry, 'channelAccount'>;
  /** The conversation's window and the customer's consent. */
  sendContext: SendContextStore;
  publisher: EventPublisher;
  retentionDays: number;
  now?: () => Date;
}

export interface TemplateSendAccepted {
  messageId: string;
  conversationKey: string;
  /** True when this request id was seen before: nothing new was written. */
  repeated: boolean;
}

const CATEGORIES = { MARKETING: 'marketing', UTILITY: 'utility', AUTHENTICATION: 'authentication' } as const;

/**
 * Checks a template send against the stored template and the customer's consent, writes the
 * outbound Message item as `pending` and asks the outbound sender for it (`reply.requested`), which
 * sends it through the Graph API like any reply. Everything refusable is refused here, before a
 * message exists, with the component and parameter named.
 */
export async function requestTemplateSend(request: TemplateSendRequest, deps: TemplateSendDeps): Promise<TemplateSendAccepted> {
  const now = (deps.now ?? (() => new Date()))();
  const account = await deps.registry.channelAccount(request.accountId);
  if (account?.channel !== 'whatsapp' || !account.wabaId) {
    throw new TemplateRequestError(404, 'account_not_found', 'No WhatsApp number with that phone number id is registered');
  }
  if (!isServing(account)) throw new TemplateRequestError(409, 'account_not_serving', `The number is ${account.status}; it sends nothing`);
  const customerId = customerOf(request);
  const key = whatsappConversationKey('whatsapp', request.accountId, customerId);

  const templates = deps.templates;
  const template = await templates.findTemplate(account.wabaId, request.name, request.language);
  if (!template || template.status === 'DELETED') {
    const languages = await languagesOf(templates, account.wabaId, request.name);
    throw new TemplateRequestError(
      404,
      'template_not_found',
      languages.length > 0
        ? `Template ${request.name} has no ${request.language} translation (it has ${languages.join(', ')})`
        : `No template named ${request.name}; sync the account's templates if it was created recently`,
    );
  }
  if (template.status !== 'APPROVED') {
    throw new TemplateRequestError(409, 'template_not_approved', `Template ${request.name} (${request.language}) is ${template.status}, not APPROVED`, {
      templateStatus: template.status,
    });
  }
  if (template.components.length === 0) {
    throw new TemplateRequestError(
      409,
      'template_needs_sync',
      `Template ${request.name} (${request.language}) is known from a webhook only; sync the account's templates first`,
    );
  }
  let components: Array<Record<string, unknown>>;
  try {
    components = buildTemplateComponents(template, request.variables);
  } catch (err) {
    if (!(err instanceof TemplateVariablesError)) throw err;
    throw new TemplateRequestError(422, 'template_variables_invalid', err.message, {
      component: err.component,
      ...(err.parameter !== undefined ? { parameter: err.parameter } : {}),
    });
  }
  const category = CATEGORIES[(template.category ?? 'UTILITY') as keyof typeof CATEGORIES] ?? 'utility';

  if (category === 'marketing') {
    // The same read and rule as the outbound sender, so the API refuses early with its reason.
    const context = await readSendContext(deps.sendContext, { conversationKey: key, accountId: request.accountId, customerId, withConsent: true });
    const permission = decideSendPermission({
      channel: 'whatsapp',
      origin: 'campaign',
      templateCategory: 'marketing',
      ...(context.consent ? { consent: context.consent } : {}),
      now,
    });
    if (!permission.allowed) {
      throw new TemplateRequestError(
        409,
        permission.reason,
        permission.reason === 'marketing_opted_out'
          ? 'The customer opted out of marketing messages'
          : 'The customer has no recorded opt-in to marketing messages',
      );
    }
  }

  const messageId = `out_t_${sha256Hex(`${request.accountId}|${request.requestId}`).slice(0, 32)}`;
  const outboundTemplate: OutboundTemplate = { name: template.name, language: template.language, category, ...(components.length ? { components } : {}) };
  const item = messageItem({
    key,
    accountId: request.accountId,
    wabaId: account.wabaId,
    customerId,
    messageId,
    template: outboundTemplate,
    now,
    retentionDays: deps.retentionDays,
  });
  // The same request again writes nothing: asked again, the sender sends an outbound id at most once.
  const repeated = !(await templates.addTemplateMessage(item));
  await deps.publisher.publish([
    replyRequestedEvent(EVENT_SOURCE.templates, { conversationKey: key, outboundId: messageId, channel: 'whatsapp', accountId: request.accountId }),
  ]);
  return { messageId, conversationKey: key, repeated };
}

function customerOf(request: TemplateSendRequest): string {
  if (request.customerId) return request.customerId;
  const match = /^wa:(\d+):(\d{5,20})$/.exec(request.conversationKey ?? '');
  if (!match || match[1] !== request.accountId) {
    throw new TemplateRequestError(400, 'invalid_request', 'conversationKey must be wa:<accountId>:<wa_id> of this account');
  }
  return match[2]!;
}

async function languagesOf(templates: TemplateStore, wabaId: string, name: string): Promise<string[]> {
  const languages: string[] = [];
  for await (const item of templates.templatesOfWaba(wabaId, ['language', 'status'], templateSk(name, ''))) {
    if (item.status !== 'DELETED') languages.push(String(item.language));
  }
  return languages;
}

function messageItem(input: {
  key: string;
  accountId: string;
  wabaId: string;
  customerId: string;
  messageId: string;
  template: OutboundTemplate;
  now: Date;
  retentionDays: number;
}): OutboundMessageItem {
  const at = input.now.toISOString();
  return {
    pk: conversationPk(input.key),
    sk: messageSk(input.messageId),
    lsi1sk: messageTimeSk(at, input.messageId),
    entity: 'Message',
    messageId: input.messageId,
    conversationKey: input.key,
    channel: 'whatsapp',
    accountId: input.accountId,
    businessAccountId: input.wabaId,
    customerId: input.customerId,
    recipientId: input.customerId,
    direction: 'outbound',
    origin: 'campaign',
    type: 'template',
    template: input.template,
    language: input.template.language,
    replyKind: 'template',
    replyToMessageIds: [],
    status: 'pending',
    occurredAt: at,
    createdAt: at,
    expiresAt: expiresAt(at, input.retentionDays),
  };
}
