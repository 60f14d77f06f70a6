/**
 * Maps the content of one WhatsApp message (inbound, echo or history) onto the canonical
 * message fields. Who sent it and where it belongs is the caller's business.
 */
import type { ChoiceRef, MediaRef, MessageEvent, MessageType, ProviderError, ReactionRef, ReferralRef } from '#lambdas/conversation/model';
import type { WaMedia, WaMessage, WaProviderError } from '#lambdas/channels/whatsapp/whatsapp-schemas';
import { compact } from '#lambdas/channels/whatsapp/compact';

export type MessageContent = { type: MessageType } & Partial<
  Pick<
    MessageEvent,
    | 'text'
    | 'media'
    | 'location'
    | 'contacts'
    | 'choice'
    | 'flowResponse'
    | 'reaction'
    | 'order'
    | 'system'
    | 'referral'
    | 'replyToMessageId'
    | 'forwarded'
    | 'frequentlyForwarded'
    | 'groupId'
    | 'errors'
  >
>;

/** `missing` names the content object a message of that type must carry but did not. */
export type ContentResult = { ok: true; content: MessageContent } | { ok: false; missing: string };

const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);

/**
 * @param valueErrors errors Meta put next to the message at value level; they describe it.
 */
export function messageContent(message: WaMessage, valueErrors?: WaProviderError[]): ContentResult {
  const errorsIn = message.errors ?? valueErrors;
  const errors = errorsIn && errorsIn.length > 0 ? errorsIn.map(providerError) : undefined;
  const body = bodyOf(message, errors !== undefined);
  if (!body.ok) return body;
  const content: MessageContent = { ...body.content };
  const context = message.context;
  if (context?.id) content.replyToMessageId = context.id;
  if (context?.forwarded === true) content.forwarded = true;
  if (context?.frequently_forwarded === true) {
    // Meta sets only `frequently_forwarded` on such messages; they are forwarded too.
    content.frequentlyForwarded = true;
    content.forwarded = true;
  }
  if (message.group_id !== undefined) content.groupId = message.group_id;
  if (message.referral) content.referral = referralRef(message.referral);
  if (errors) content.errors = errors;
  return { ok: true, content: compact(content) };
}

function bodyOf(m: WaMessage, hasErrors: boolean): ContentResult {
  const type = m.type;
  if (MEDIA_TYPES.has(type)) {
    const media = m[type as 'image' | 'audio' | 'video' | 'document' | 'sticker'];
    if (!media) return missingOrUnsupported(type, hasErrors);
    return ok({ type: type as MessageType, media: [mediaRef(media)] });
  }
  switch (type) {
    case 'text':
      return m.text ? ok({ type: 'text', text: m.text.body }) : missingOrUnsupported('text', hasErrors);
    case 'location': {
      const l = m.location;
      if (!l) return missingOrUnsupported('location', hasErrors);
      return ok({
        type: 'location',
        location: compact({
          latitude: l.latitude,
          longitude: l.longitude,
          name: l.name ?? undefined,
          address: l.address ?? undefined,
          url: l.url ?? undefined,
        }),
      });
    }
    case 'contacts':
      return m.contacts ? ok({ type: 'contacts', contacts: m.contacts }) : missingOrUnsupported('contacts', hasErrors);
    case 'interactive':
      return interactive(m);
    case 'button': {
      if (!m.button) return missingOrUnsupported('button', hasErrors);
      const title = m.button.text ?? undefined;
      const choice: ChoiceRef = compact({ id: m.button.payload ?? undefined, title, source: 'template_button' as const });
      return ok(compact({ type: 'choice' as const, choice, text: title }));
    }
    case 'reaction': {
      if (!m.reaction) return missingOrUnsupported('reaction', hasErrors);
      // Removing a reaction arrives as `emoji: ""`.
      const emoji = m.reaction.emoji ? m.reaction.emoji : undefined;
      const reaction: ReactionRef = compact({
        targetMessageId: m.reaction.message_id,
        emoji,
        action: emoji ? ('react' as const) : ('unreact' as const),
      });
      return ok({ type: 'reaction', reaction });
    }
    case 'order': {
      const o = m.order;
      if (!o) return missingOrUnsupported('order', hasErrors);
      return ok({
        type: 'order',
        order: compact({
          catalogId: o.catalog_id,
          // An order without a note arrives with `text: ""`.
          text: o.text ? o.text : undefined,
          items: o.product_items.map((i) =>
            compact({
              productRetailerId: i.product_retailer_id,
              quantity: i.quantity,
              itemPrice: i.item_price,
              currency: i.currency ?? undefined,
            }),
          ),
        }),
      });
    }
    case 'system': {
      const s = m.system;
      if (!s) return missingOrUnsupported('system', hasErrors);
      return ok({
        type: 'system',
        system: compact({
          type: s.type ?? undefined,
          body: s.body ?? undefined,
          // Older payloads name the new number `new_wa_id`, newer ones `wa_id`.
          newWaId: s.new_wa_id ?? s.wa_id,
          identity: m.identity?.hash ?? s.identity ?? undefined,
        }),
      });
    }
    case 'request_welcome':
      // The customer opened the chat for the first time: no content, but a prompt to greet.
      return ok({ type: 'system', system: { type: 'request_welcome' } });
    case 'referral':
      return ok({ type: 'referral' });
    default:
      // `unsupported`, `unknown`, `media_placeholder` and any type Meta adds later: recorded
      // as unsupported (with Meta's errors when present) rather than quarantined, because the
      // customer did write something and the conversation should show it.
      return ok({ type: 'unsupported' });
  }
}

function interactive(m: WaMessage): ContentResult {
  const i = m.interactive;
  // Meta sends an interactive message with no body when it cannot render what the customer
  // tapped (value-level error 131000); there is nothing to map.
  if (!i) return ok({ type: 'unsupported' });
  const kind = i.type ?? (i.button_reply ? 'button_reply' : i.list_reply ? 'list_reply' : i.nfm_reply ? 'nfm_reply' : undefined);
  if (kind === 'button_reply' && i.button_reply) {
    const title = i.button_reply.title ?? undefined;
    return ok(compact({ type: 'choice' as const, text: title, choice: compact({ id: i.button_reply.id, title, source: 'button' as const }) }));
  }
  if (kind === 'list_reply' && i.list_reply) {
    const title = i.list_reply.title ?? undefined;
    return ok(
      compact({
        type: 'choice' as const,
        text: title,
        choice: compact({
          id: i.list_reply.id,
          title,
          description: i.list_reply.description ?? undefined,
          source: 'list' as const,
        }),
      }),
    );
  }
  if (kind === 'nfm_reply' && i.nfm_reply) {
    return ok({ type: 'flow_response', flowResponse: flowResponse(i.nfm_reply.response_json) });
  }
  return ok({ type: 'unsupported' });
}

/** Flow answers arrive as a JSON string; anything that is not a JSON object is kept as `{ raw }`. */
export function flowResponse(responseJson: unknown): Record<string, unknown> {
  if (responseJson !== null && typeof responseJson === 'object' && !Array.isArray(responseJson)) {
    return responseJson as Record<string, unknown>;
  }
  if (typeof responseJson !== 'string') return { raw: responseJson === undefined ? '' : String(responseJson) };
  try {
    const parsed: unknown = JSON.parse(responseJson);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through: keep the text as Meta sent it
  }
  return { raw: responseJson };
}

export function mediaRef(media: WaMedia): MediaRef {
  return compact({
    id: media.id,
    url: media.url ?? media.link ?? undefined,
    mimeType: media.mime_type ?? undefined,
    sha256: media.sha256 ?? undefined,
    filename: media.filename ?? undefined,
    caption: media.caption ?? undefined,
    voice: media.voice,
    animated: media.animated,
  });
}

export function providerError(e: WaProviderError): ProviderError {
  return compact({
    code: e.code,
    title: e.title ?? undefined,
    message: e.message ?? undefined,
    details: e.error_data?.details ?? e.details ?? undefined,
  });
}

function referralRef(r: NonNullable<WaMessage['referral']>): ReferralRef {
  return compact({
    sourceType: r.source_type ?? undefined,
    sourceId: r.source_id,
    sourceUrl: r.source_url ?? undefined,
    headline: r.headline ?? undefined,
    adId: r.source_type === 'ad' ? r.source_id : undefined,
    ctwaClid: r.ctwa_clid ?? undefined,
  });
}

function ok(content: MessageContent): ContentResult {
  return { ok: true, content };
}

function missingOrUnsupported(type: string, hasErrors: boolean): ContentResult {
  // Meta strips the content of messages it reports errors for; that is an unsupported
  // message, not a malformed payload.
  return hasErrors ? ok({ type: 'unsupported' }) : { ok: false, missing: type };
}
