import type { ReplyLanguage } from '#lambdas/agent/detect-language';
import { normalizeWords } from '#lambdas/agent/detect-language';
import { LANGUAGES, type BusinessFlows, type Localized, type MenuItem } from '#lambdas/agent/flows/business-flows-schema';
import { isWithinBusinessHours } from '#lambdas/agent/flows/business-hours';
import { IntentIndex } from '#lambdas/agent/flows/intent-index';
import { asksForHuman, isOptOut } from '#lambdas/agent/flows/keyword-match';
import { resolveLanguage, type ResolvedLanguage } from '#lambdas/agent/understanding/language';
import { consentIntentOf, isComplaint, orderIdOf, smallTalkOf } from '#lambdas/agent/understanding/message-cues';
import type { ReplyOption } from '#lambdas/outbound/outbound-message';

/** What the responder reads of each unanswered customer message. */
export interface CustomerMessage {
  type: string;
  /** The text, or the caption of a photo, video or document. */
  text?: string;
  choiceId?: string;
  choiceTitle?: string;
  providerMessageId?: string;
}

export type ReplyKind =
  | 'menu'
  | 'choice_answer'
  | 'faq_answer'
  /** No confident answer: the bot says so and offers a person. */
  | 'fallback'
  | 'out_of_hours'
  | 'opt_out_confirmed'
  | 'opt_out_question'
  | 'opt_out_kept'
  | 'opt_in_confirmed'
  | 'handoff_ack'
  | 'small_talk'
  | 'attachment_ack'
  | 'repeat_offer'
  | 'csat_thanks'
  /** The customer tapped a language the bot offered. */
  | 'language_set'
  | 'generated'
  /** Nothing is sent (an "ok" after small talk); the messages count as answered. */
  | 'none';

export type HandoffReason =
  | 'customer_request'
  | 'menu_choice'
  | 'assistant_decision'
  | 'assistant_unavailable'
  /** A damaged item or an angry message: a person first. */
  | 'complaint'
  /** An order number was given and no order look-up can answer it. */
  | 'order_followup'
  /** An open question out of hours, left for a person to answer when the team opens. */
  | 'after_hours_question';

/** What the bot remembers of a conversation between replies (stored on the Conversation item). */
export interface ConversationMemory {
  language?: ReplyLanguage;
  /** What the last reply asked the customer for: the next message is read as that answer. */
  awaiting?: 'order_id';
  capturedOrderId?: string;
  /** Another language was offered once; never again in this conversation. */
  languageAsked?: boolean;
  /** The FAQ entry the last reply gave. */
  lastFaqId?: string;
  lastReplyKind?: ReplyKind;
}

export interface ConsentEvidence {
  evidenceMessageId: string;
  /** What the customer wrote or tapped, kept with the consent record. */
  evidenceText: string;
  /** `keyword`: the business's exact keyword; `phrase`: a clear phrase; `confirmation`: a tapped confirmation. */
  evidenceKind: 'keyword' | 'phrase' | 'confirmation';
}

export interface ComposedReply {
  language: ReplyLanguage;
  kind: ReplyKind;
  text: string;
  /** Offered as WhatsApp reply buttons (or a list beyond three) or Instagram/Messenger quick replies. */
  options?: ReplyOption[];
  /** Label of the button that opens a WhatsApp list, should the options not fit in buttons. */
  optionsLabel?: string;
  /** The FAQ entry the answer came from. */
  faqId?: string;
  /** The customer withdrew consent; the message that said so is the evidence. */
  optOut?: ConsentEvidence;
  /** The customer gave consent to promotional messages again. */
  optIn?: ConsentEvidence;
  /** The conversation goes to a person. */
  handoff?: { reason: HandoffReason; priority?: boolean };
  /** The satisfaction score (1–5) this reply thanks the customer for. */
  csatScore?: number;
  /** The reply already told the customer the team is away (routing sends no second notice). */
  saysAway?: boolean;
  /** The conversation's memory after this reply. */
  memory?: ConversationMemory;
}

/** Choice ids come back verbatim as button ids, quick reply payloads and postback payloads. */
export const MENU_CHOICE_PREFIX = 'menu:';
/** The one-tap offer of a person. */
export const PERSON_CHOICE_ID = 'agent:person';
export const OPT_OUT_YES_CHOICE_ID = 'consent:opt_out';
export const OPT_OUT_NO_CHOICE_ID = 'consent:keep';
/** `lang:es`, `lang:pt`, `lang:en`: the customer picks the conversation's language. */
export const LANGUAGE_CHOICE_PREFIX = 'lang:';
/** Each language's button says its own name, so whoever prefers it can read it. */
const LANGUAGE_NAMES: Record<ReplyLanguage, string> = { es: 'Español', pt: 'Português', en: 'English' };
/** Replies that may carry the offer of another language (not consent, hand-offs, thanks or satisfaction). */
const OFFERS_LANGUAGE = new Set<ReplyKind>(['menu', 'faq_answer', 'choice_answer', 'fallback', 'out_of_hours', 'attachment_ack']);

export interface ComposeContext {
  business: BusinessFlows;
  /** The conversation's language so far, used unless the customer clearly writes in or asks for another. */
  fallbackLanguage?: ReplyLanguage;
  /** The WhatsApp customer's number: its country code hints at the language of a first message. */
  phoneNumber?: string;
  /** What the bot remembers of the conversation. */
  memory?: ConversationMemory;
  now: Date;
  intentIndex?: IntentIndex;
  /** Leave the FAQ step to the assistant (a message naming an order is better served by a look-up). */
  skipFaq?: boolean;
  /** An order look-up can answer an order number (the assistant with the business's order tool). */
  orderLookup?: boolean;
  /**
   * The business has spent 80% of its monthly Meta budget (agent/message-saving.ts): no optional
   * small-talk reply and no language offer (its tap would cost another reply).
   */
  saving?: boolean;
}

/**
 * The business's flows, in order of precedence over a burst: consent (opt-out, opt-in), a tapped
 * choice, a request for a person, a complaint, an order number, a greeting, small talk, an
 * attachment, a confident FAQ answer, then the honest "not sure" with the offer of a person (or, out
 * of hours, the notice and a person to follow up).
 */
export function composeReply(messages: readonly CustomerMessage[], ctx: ComposeContext): ComposedReply {
  return composeFlowReply(messages, ctx) ?? composeOpenAnswer(messages, ctx);
}

/** The conversation language for a burst: sticky, moved only by clear evidence or an explicit request. */
export function languageOf(messages: readonly CustomerMessage[], ctx: ComposeContext): ReplyLanguage {
  return languageResolution(messages, ctx).language;
}

/** The language, and the others to offer when the evidence is split (language.ts). */
function languageResolution(messages: readonly CustomerMessage[], ctx: ComposeContext): ResolvedLanguage {
  const latest = messages.at(-1);
  const picked = latest?.type === 'choice' ? languageOfChoice(latest.choiceId) : undefined;
  if (picked) return { language: picked, evidence: 'explicit_request' };
  const tapped = latest?.type === 'choice' ? languageOfTitle(ctx.business, latest.choiceTitle) : undefined;
  if (tapped) return { language: tapped, evidence: 'conversation' };
  return resolveLanguage(joinedText(messages.filter((m) => m.type !== 'choice')), {
    conversation: ctx.memory?.language ?? ctx.fallbackLanguage,
    phoneNumber: ctx.phoneNumber,
    businessDefault: ctx.business.defaultLanguage,
  });
}

function languageOfChoice(choiceId: string | undefined): ReplyLanguage | undefined {
  if (!choiceId?.startsWith(LANGUAGE_CHOICE_PREFIX)) return undefined;
  const code = choiceId.slice(LANGUAGE_CHOICE_PREFIX.length);
  return LANGUAGES.find((l) => l === code);
}

/**
 * With split evidence, the reply asks once, in each other language, whether the customer would
 * rather continue in it, and offers one button per language. Nothing extra is sent: the question
 * rides on the reply. Without room for buttons the customer can still write the language's name.
 */
function withLanguageOffer(reply: ComposedReply, messages: readonly CustomerMessage[], ctx: ComposeContext): ComposedReply {
  if (ctx.saving || ctx.memory?.languageAsked || !OFFERS_LANGUAGE.has(reply.kind)) return reply;
  const alternatives = (languageResolution(messages, ctx).alternatives ?? []).filter((l) => l !== reply.language).slice(0, 2);
  if (alternatives.length === 0) return reply;
  const questions = alternatives.map((l) => ctx.business.replies.languageQuestion[l]).join('\n');
  const buttons: ReplyOption[] = alternatives.map((l) => ({ id: `${LANGUAGE_CHOICE_PREFIX}${l}`, title: LANGUAGE_NAMES[l] }));
  const options = [...(reply.options ?? []), ...buttons];
  const fits = options.length <= 10;
  return {
    ...reply,
    text: `${reply.text}\n\n${questions}`,
    ...(fits ? { options, optionsLabel: reply.optionsLabel ?? ctx.business.menuLabel[reply.language] } : {}),
    memory: { ...(reply.memory ?? {}), languageAsked: true },
  };
}

/** The deterministic part of the flows: undefined when the burst is an open question. */
export function composeFlowReply(messages: readonly CustomerMessage[], ctx: ComposeContext): ComposedReply | undefined {
  const reply = flowReply(messages, ctx);
  return reply ? withLanguageOffer(withMemory(reply, messages, ctx), messages, ctx) : undefined;
}

function flowReply(messages: readonly CustomerMessage[], ctx: ComposeContext): ComposedReply | undefined {
  const { business } = ctx;
  const texts = business.replies;
  const language = languageOf(messages, ctx);
  const open = isWithinBusinessHours(business, ctx.now);
  const latest = messages.at(-1);

  const consent = consentReply(messages, business, language);
  if (consent) return consent;

  if (latest?.type === 'choice' && latest.choiceId === PERSON_CHOICE_ID) return handoffReply(business, language, open, 'customer_request');
  if (latest?.type === 'choice' && languageOfChoice(latest.choiceId)) {
    return { language, kind: 'language_set', text: texts.languageSet[language], ...menuOptions(business, language) };
  }
  const item = latest ? menuItemOf(latest, business) : undefined;
  if (item) {
    switch (item.action.type) {
      case 'answer':
        return { language, kind: 'choice_answer', text: item.action.text[language] };
      case 'faq': {
        const faqId = item.action.faqId;
        const entry = business.faq.find((f) => f.id === faqId)!;
        const known = ctx.memory?.capturedOrderId;
        if (entry.asksFor === 'order_id' && known && !ctx.orderLookup) return orderNoted(business, language, open, known);
        return { language, kind: 'choice_answer', text: entry.answer[language], faqId };
      }
      case 'handoff':
        return handoffReply(business, language, open, 'menu_choice');
    }
  }

  const written = messages.filter((m) => m.type !== 'choice' && m.text && m.text.trim().length > 0);
  const text = joinedText(written);
  if (written.some((m) => asksForHuman(m.text!, business.handoff.keywords))) {
    return handoffReply(business, language, open, 'customer_request');
  }
  if (written.some((m) => isComplaint(m.text!))) {
    return {
      language,
      kind: 'handoff_ack',
      text: (open ? texts.complaint : texts.complaintOutOfHours)[language],
      handoff: { reason: 'complaint', priority: true },
    };
  }

  const orderId = orderIdIn(written, ctx.memory);
  if (orderId) {
    // An order look-up (the assistant's tool) answers it; without one a person does.
    if (ctx.orderLookup) return undefined;
    return orderNoted(business, language, open, orderId);
  }

  if (written.length > 0 && written.length === messages.length && written.every((m) => isOnlyGreeting(m.text!))) {
    return { language, kind: 'menu', text: business.greeting[language], ...menuOptions(business, language) };
  }

  const talk = written.length === messages.length && written.length > 0 ? written.map((m) => smallTalkOf(m.text!)) : [];
  if (talk.length > 0 && talk.every((t) => t !== undefined)) {
    const last = talk.at(-1)!;
    // Thanks and goodbyes get a short answer once; an "ok" or a second thanks needs none, nor any
    // small talk while the business saves messages (each reply is a charged service message).
    if (last === 'ok' || ctx.memory?.lastReplyKind === 'small_talk' || ctx.saving) return { language, kind: 'none', text: '' };
    return { language, kind: 'small_talk', text: (last === 'bye' ? texts.goodbye : texts.thanks)[language] };
  }

  if (written.length === 0 && messages.some((m) => isAttachment(m.type))) {
    return { language, kind: 'attachment_ack', text: texts.attachment[language], ...personOffer(business, language, false) };
  }

  if (ctx.skipFaq || text.length === 0) return undefined;
  const intent = (ctx.intentIndex ?? new IntentIndex(business, business.faqMinScore)).match(text);
  if (!intent.confident) return undefined;
  const entry = business.faq.find((f) => f.id === intent.confident!.faqId)!;
  if (entry.asksFor === 'order_id' && ctx.memory?.capturedOrderId && !ctx.orderLookup) {
    return orderNoted(business, language, open, ctx.memory.capturedOrderId);
  }
  if (ctx.memory?.lastFaqId === entry.id && isAnswerKind(ctx.memory.lastReplyKind)) {
    return { language, kind: 'repeat_offer', text: texts.repeated[language], faqId: entry.id, ...personOffer(business, language, false) };
  }
  return { language, kind: 'faq_answer', text: entry.answer[language], faqId: entry.id };
}

/**
 * What the flows say when nothing matched: in hours, that the bot is not sure, with a one-tap offer
 * of a person and the menu; out of hours, the notice, and the question is left for a person.
 */
export function composeOpenAnswer(messages: readonly CustomerMessage[], ctx: ComposeContext): ComposedReply {
  const { business } = ctx;
  const language = languageOf(messages, ctx);
  if (!isWithinBusinessHours(business, ctx.now)) {
    const reply: ComposedReply = {
      language,
      kind: 'out_of_hours',
      text: `${business.outOfHours[language]} ${business.replies.followUpWhenOpen[language]}`,
      handoff: { reason: 'after_hours_question' },
    };
    return withLanguageOffer(withMemory(reply, messages, ctx), messages, ctx);
  }
  const reply: ComposedReply = { language, kind: 'fallback', text: business.replies.notSure[language], ...personOffer(business, language, true) };
  return withLanguageOffer(withMemory(reply, messages, ctx), messages, ctx);
}

export function handoffReply(business: BusinessFlows, language: ReplyLanguage, open: boolean, reason: HandoffReason): ComposedReply {
  return {
    language,
    kind: 'handoff_ack',
    text: open ? business.handoff.acknowledgement[language] : business.handoff.outOfHoursAcknowledgement[language],
    handoff: { reason },
    ...(open ? {} : { saysAway: true }),
  };
}

function orderNoted(business: BusinessFlows, language: ReplyLanguage, open: boolean, orderId: string): ComposedReply {
  const template = (open ? business.replies.orderNoted : business.replies.orderNotedOutOfHours)[language];
  return {
    language,
    kind: 'handoff_ack',
    text: template.replaceAll('{order}', orderId),
    handoff: { reason: 'order_followup' },
    ...(open ? {} : { saysAway: true }),
  };
}

/** Opt-out and opt-in by intent, and the answers to the one-tap opt-out confirmation. */
function consentReply(messages: readonly CustomerMessage[], business: BusinessFlows, language: ReplyLanguage): ComposedReply | undefined {
  const texts = business.replies;
  const latest = messages.at(-1);
  if (latest?.type === 'choice' && latest.providerMessageId) {
    if (latest.choiceId === OPT_OUT_YES_CHOICE_ID) {
      return {
        language,
        kind: 'opt_out_confirmed',
        text: business.optOut.confirmation[language],
        optOut: { evidenceMessageId: latest.providerMessageId, evidenceText: latest.choiceTitle ?? latest.choiceId, evidenceKind: 'confirmation' },
      };
    }
    if (latest.choiceId === OPT_OUT_NO_CHOICE_ID) return { language, kind: 'opt_out_kept', text: texts.optOutKept[language] };
  }
  for (const message of [...messages].reverse()) {
    if (message.type !== 'text' || !message.text || !message.providerMessageId) continue;
    const evidence = { evidenceMessageId: message.providerMessageId, evidenceText: message.text.slice(0, 500) };
    if (isOptOut(message.text, business.optOut.keywords)) {
      return { language, kind: 'opt_out_confirmed', text: business.optOut.confirmation[language], optOut: { ...evidence, evidenceKind: 'keyword' } };
    }
    const intent = consentIntentOf(message.text);
    if (intent === 'opt_out') {
      return { language, kind: 'opt_out_confirmed', text: business.optOut.confirmation[language], optOut: { ...evidence, evidenceKind: 'phrase' } };
    }
    if (intent === 'opt_in') {
      return { language, kind: 'opt_in_confirmed', text: texts.optInConfirmation[language], optIn: { ...evidence, evidenceKind: 'phrase' } };
    }
    if (intent === 'opt_out_unsure' && message === messages.at(-1)) {
      return {
        language,
        kind: 'opt_out_question',
        text: texts.optOutQuestion[language],
        options: [
          { id: OPT_OUT_YES_CHOICE_ID, title: texts.optOutYes[language] },
          { id: OPT_OUT_NO_CHOICE_ID, title: texts.optOutNo[language] },
        ],
      };
    }
  }
  return undefined;
}

/** The order number in the burst, or the reply to a question that asked for one ("1002", "es el 1002"). */
function orderIdIn(written: readonly CustomerMessage[], memory: ConversationMemory | undefined): string | undefined {
  for (const message of [...written].reverse()) {
    const found = orderIdOf(message.text ?? '');
    if (found) return found;
    // Right after a reply that asked for it, a short message with a number is the number ("1002", "it is 1002").
    if (memory?.awaiting === 'order_id' && normalizeWords(message.text!).length <= 6) {
      const token = message.text!.match(/(?:^|[\s#:])([A-Za-z]{0,3}-?\d{3,12})\b/);
      if (token) return token[1];
    }
  }
  return undefined;
}

function isAnswerKind(kind: ReplyKind | undefined): boolean {
  return kind === 'faq_answer' || kind === 'choice_answer' || kind === 'repeat_offer';
}

const ATTACHMENT_TYPES = new Set(['image', 'video', 'audio', 'voice', 'document', 'sticker', 'file', 'media', 'share', 'story_mention']);
function isAttachment(type: string): boolean {
  return ATTACHMENT_TYPES.has(type);
}

/** The memory after a reply: the language, what it asked for, the FAQ entry it gave and any order number seen. */
function withMemory(reply: ComposedReply, messages: readonly CustomerMessage[], ctx: ComposeContext): ComposedReply {
  const previous = ctx.memory ?? {};
  const written = messages.filter((m) => m.type !== 'choice' && m.text);
  const orderId = orderIdIn(written, previous) ?? previous.capturedOrderId;
  const entry = reply.faqId ? ctx.business.faq.find((f) => f.id === reply.faqId) : undefined;
  const asks = entry?.asksFor && !(entry.asksFor === 'order_id' && orderId) && reply.kind !== 'repeat_offer' ? entry.asksFor : undefined;
  const memory: ConversationMemory = {
    language: reply.language,
    ...(asks ? { awaiting: asks } : {}),
    ...(orderId ? { capturedOrderId: orderId } : {}),
    ...(reply.faqId ? { lastFaqId: reply.faqId } : reply.kind === 'none' && previous.lastFaqId ? { lastFaqId: previous.lastFaqId } : {}),
    lastReplyKind: reply.kind === 'none' ? (previous.lastReplyKind ?? 'none') : reply.kind,
    ...(previous.languageAsked || reply.kind === 'language_set' ? { languageAsked: true } : {}),
  };
  return { ...reply, memory };
}

function menuOptions(business: BusinessFlows, language: ReplyLanguage): Pick<ComposedReply, 'options' | 'optionsLabel'> {
  return {
    options: business.menu.map((m) => ({
      id: `${MENU_CHOICE_PREFIX}${m.id}`,
      title: m.title[language],
      ...(m.description ? { description: m.description[language] } : {}),
    })),
    optionsLabel: business.menuLabel[language],
  };
}

/** The one-tap offer of a person, first, then (with `withMenu`) the menu's other choices. */
function personOffer(business: BusinessFlows, language: ReplyLanguage, withMenu: boolean): Pick<ComposedReply, 'options' | 'optionsLabel'> {
  const person: ReplyOption = { id: PERSON_CHOICE_ID, title: business.replies.talkToPerson[language] };
  if (!withMenu) return { options: [person] };
  const others = menuOptions(business, language).options!.filter(
    (o) => business.menu.find((m) => `${MENU_CHOICE_PREFIX}${m.id}` === o.id)?.action.type !== 'handoff',
  );
  return { options: [person, ...others].slice(0, 10), optionsLabel: business.menuLabel[language] };
}

export function joinedText(messages: readonly CustomerMessage[]): string {
  return messages
    .map((m) => m.text ?? '')
    .filter((t) => t.length > 0)
    .join('\n');
}

function menuItemOf(message: CustomerMessage, business: BusinessFlows): MenuItem | undefined {
  if (message.type !== 'choice' || !message.choiceId?.startsWith(MENU_CHOICE_PREFIX)) return undefined;
  const id = message.choiceId.slice(MENU_CHOICE_PREFIX.length);
  return business.menu.find((m) => m.id === id);
}

/** Our own button titles tell which language the buttons were offered in. */
function languageOfTitle(business: BusinessFlows, title: string | undefined): ReplyLanguage | undefined {
  if (!title) return undefined;
  const r = business.replies;
  const titles: Localized[] = [...business.menu.map((m) => m.title), r.talkToPerson, r.optOutYes, r.optOutNo];
  for (const t of titles) {
    const lang = LANGUAGES.find((l) => t[l] === title);
    if (lang) return lang;
  }
  return undefined;
}

/** Greetings (accents stripped, repeated letters squashed) and the small talk that often follows them ("hi there", "oi, tudo bem?"). */
const GREETINGS = new Set(
  (
    'hi hello hey hiya howdy hola buenas buenos buen saludos ola oi opa bom boa morning afternoon evening dia dias ' +
    'tardes tarde noches noite good holi wenas alo'
  ).split(' '),
);
const SMALL_TALK = new Set('there all everyone team tudo bem que tal como estas esta vai e ai how are you ud usted todo bien'.split(' '));

export function isOnlyGreeting(text: string): boolean {
  const words = normalizeWords(text).map((w) => w.replace(/(.)\1{2,}/g, '$1'));
  return words.some((w) => GREETINGS.has(w)) && words.every((w) => GREETINGS.has(w) || SMALL_TALK.has(w));
}
