import type { SimChannel } from '#lib/local-cloud/graph-simulator/accounts';
import type { BusinessMessage } from '#lib/local-cloud/graph-simulator/outbox';

/**
 * The choices a business message offers the customer, read from its send body: WhatsApp reply
 * buttons, list rows and template quick-reply buttons; Instagram/Messenger quick replies and
 * postback buttons. The chat numbers them; a tap is sent back as the matching webhook.
 */
export type OptionKind = 'button_reply' | 'list_reply' | 'template_button' | 'quick_reply' | 'postback';

export interface MessageOption {
  kind: OptionKind;
  id: string;
  title: string;
  description?: string;
  /** List section the row belongs to. */
  section?: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objects(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function optionsOf(channel: SimChannel, body: unknown): MessageOption[] {
  if (!isObject(body)) return [];
  return channel === 'whatsapp' ? whatsAppOptions(body) : messagingOptions(body);
}

function whatsAppOptions(body: Json): MessageOption[] {
  if (body.type === 'interactive' && isObject(body.interactive)) {
    const { type, action } = body.interactive;
    if (!isObject(action)) return [];
    if (type === 'button') {
      return objects(action.buttons).flatMap((button) => {
        const reply = isObject(button.reply) ? button.reply : {};
        const id = text(reply.id);
        return id === undefined ? [] : [{ kind: 'button_reply' as const, id, title: text(reply.title) ?? id }];
      });
    }
    if (type === 'list') {
      return objects(action.sections).flatMap((section) =>
        objects(section.rows).flatMap((row) => {
          const id = text(row.id);
          if (id === undefined) return [];
          const option: MessageOption = { kind: 'list_reply', id, title: text(row.title) ?? id };
          const description = text(row.description);
          const sectionTitle = text(section.title);
          if (description !== undefined) option.description = description;
          if (sectionTitle !== undefined) option.section = sectionTitle;
          return [option];
        }),
      );
    }
  }
  if (body.type === 'template' && isObject(body.template)) {
    return objects(body.template.components)
      .filter((c) => c.type === 'button' && c.sub_type === 'quick_reply')
      .flatMap((component) => {
        const payload = objects(component.parameters).find((p) => p.type === 'payload');
        const id = text(payload?.payload);
        // The button's label lives in the approved template, which the simulator does not have.
        return id === undefined ? [] : [{ kind: 'template_button' as const, id, title: id }];
      });
  }
  return [];
}

function messagingOptions(body: Json): MessageOption[] {
  const message = isObject(body.message) ? body.message : undefined;
  if (!message) return [];
  const quickReplies = objects(message.quick_replies).flatMap((reply) => {
    const id = text(reply.payload);
    if (reply.content_type !== 'text' || id === undefined) return [];
    return [{ kind: 'quick_reply' as const, id, title: text(reply.title) ?? id }];
  });
  const attachment = isObject(message.attachment) ? message.attachment : undefined;
  const payload = attachment?.type === 'template' && isObject(attachment.payload) ? attachment.payload : undefined;
  const buttons = payload ? [...objects(payload.buttons), ...objects(payload.elements).flatMap((element) => objects(element.buttons))] : [];
  const postbacks = buttons.flatMap((button) => {
    const id = text(button.payload);
    if (button.type !== 'postback' || id === undefined) return [];
    return [{ kind: 'postback' as const, id, title: text(button.title) ?? id }];
  });
  return [...quickReplies, ...postbacks];
}

export interface ReplyTap {
  id: string;
  title?: string;
}

export interface ResolvedReply {
  option: MessageOption;
  /** The business message that offered the option (WhatsApp puts it in `context.id`). */
  messageId?: string;
}

/**
 * Finds which business message offered the tapped option, newest first, so the webhook says
 * what Meta would: a button reply, a list reply, a template button, a quick reply or a postback.
 * A tap on an id the business never offered is sent as a plain button reply / quick reply.
 */
export function resolveReply(channel: SimChannel, messages: BusinessMessage[], tap: ReplyTap): ResolvedReply {
  for (const message of [...messages].reverse()) {
    const option = optionsOf(channel, message.body).find((o) => o.id === tap.id);
    if (option) return { option: { ...option, title: tap.title ?? option.title }, messageId: message.id };
  }
  const kind: OptionKind = channel === 'whatsapp' ? 'button_reply' : 'quick_reply';
  return { option: { kind, id: tap.id, title: tap.title ?? tap.id } };
}
