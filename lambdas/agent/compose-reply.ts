import { detectLanguage, normalizeWords, type ReplyLanguage } from '#lambdas/agent/detect-language';
import { LANGUAGES, type BusinessFlows, type Localized, type MenuItem } from '#lambdas/agent/flows/business-flows-schema';
import { isWithinBusinessHours } from '#lambdas/agent/flows/business-hours';
import { FaqIndex } from '#lambdas/agent/flows/faq-search';
import { asksForHuman, isOptOut } from '#lambdas/agent/flows/keyword-match';
import type { ReplyOption } from '#lambdas/outbound/outbound-message';

/** What the responder reads of each unanswered customer message. */
export interface CustomerMessage {
  type: string;
  text?: string;
  choiceId?: string;
  choiceTitle?: string;
  providerMessageId?: string;
}

export type ReplyKind =
  | 'menu'
  | 'choice_answer'
  | 'faq_answer'
  | 'fallback'
  | 'out_of_hours'
  | 'opt_out_confirmed'
  | 'handoff_ack'
  | 'csat_thanks'
  | 'generated';

export type HandoffReason = 'customer_request' | 'menu_choice' | 'assistant_decision' | 'assistant_unavailable';

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
  optOut?: { evidenceMessageId: string };
  /** The conversation goes to a person. */
  handoff?: { reason: HandoffReason };
  /** The satisfaction score (1–5) this reply thanks the customer for. */
  csatScore?: number;
}

/** Choice ids come back verbatim as button ids, quick reply payloads and postback payloads. */
export const MENU_CHOICE_PREFIX = 'menu:';

export interface ComposeContext {
  business: BusinessFlows;
  /** The conversation's language, used when the text does not tell. */
  fallbackLanguage?: ReplyLanguage;
  now: Date;
  faqIndex?: FaqIndex;
  /** Leave the FAQ step to the assistant (a message naming an order is better served by a look-up). */
  skipFaq?: boolean;
}

/**
 * The business's flows, in order of precedence over a burst: an opt-out, a tapped menu choice,
 * a request for a person, a greeting (menu), an FAQ answer, then the fallback (or the
 * out-of-hours notice) with the menu.
 */
export function composeReply(messages: readonly CustomerMessage[], ctx: ComposeContext): ComposedReply {
  return composeFlowReply(messages, ctx) ?? composeOpenAnswer(messages, ctx);
}

/** The deterministic part of the flows: undefined when the burst is an open question. */
export function composeFlowReply(messages: readonly CustomerMessage[], ctx: ComposeContext): ComposedReply | undefined {
  const { business } = ctx;
  const text = joinedText(messages);
  const language = detectLanguage(text, ctx.fallbackLanguage ?? business.defaultLanguage);
  const open = isWithinBusinessHours(business, ctx.now);

  const optOutMessage = [...messages].reverse().find((m) => m.type === 'text' && m.text && isOptOut(m.text, business.optOut.keywords));
  if (optOutMessage?.providerMessageId) {
    return {
      language,
      kind: 'opt_out_confirmed',
      text: business.optOut.confirmation[language],
      optOut: { evidenceMessageId: optOutMessage.providerMessageId },
    };
  }

  const latest = messages.at(-1);
  const item = latest ? menuItemOf(latest, business) : undefined;
  if (item && latest) {
    const choiceLanguage = languageOfTitle(item.title, latest.choiceTitle) ?? language;
    switch (item.action.type) {
      case 'answer':
        return { language: choiceLanguage, kind: 'choice_answer', text: item.action.text[choiceLanguage] };
      case 'faq': {
        const faqId = item.action.faqId;
        const entry = business.faq.find((f) => f.id === faqId)!;
        return { language: choiceLanguage, kind: 'choice_answer', text: entry.answer[choiceLanguage], faqId };
      }
      case 'handoff':
        return handoffReply(business, choiceLanguage, open, 'menu_choice');
    }
  }

  if (messages.some((m) => m.type === 'text' && m.text && asksForHuman(m.text, business.handoff.keywords))) {
    return handoffReply(business, language, open, 'customer_request');
  }

  const texts = messages.filter((m) => m.type === 'text' && m.text);
  if (texts.length > 0 && texts.length === messages.length && texts.every((m) => isOnlyGreeting(m.text ?? ''))) {
    return { language, kind: 'menu', text: business.greeting[language], ...menuOptions(business, language) };
  }

  if (ctx.skipFaq) return undefined;
  const match = (ctx.faqIndex ?? new FaqIndex(business.faq)).search(text, 1)[0];
  if (match && match.score >= business.faqMinScore) {
    return { language, kind: 'faq_answer', text: match.entry.answer[language], faqId: match.entry.id };
  }
  return undefined;
}

/** What the flows say when nothing matched: the fallback with the menu, or the out-of-hours notice. */
export function composeOpenAnswer(messages: readonly CustomerMessage[], ctx: ComposeContext): ComposedReply {
  const { business } = ctx;
  const language = detectLanguage(joinedText(messages), ctx.fallbackLanguage ?? business.defaultLanguage);
  if (!isWithinBusinessHours(business, ctx.now)) {
    return { language, kind: 'out_of_hours', text: business.outOfHours[language], ...menuOptions(business, language) };
  }
  return { language, kind: 'fallback', text: business.fallback[language], ...menuOptions(business, language) };
}

export function handoffReply(business: BusinessFlows, language: ReplyLanguage, open: boolean, reason: HandoffReason): ComposedReply {
  return {
    language,
    kind: 'handoff_ack',
    text: open ? business.handoff.acknowledgement[language] : business.handoff.outOfHoursAcknowledgement[language],
    handoff: { reason },
  };
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

/** Our own button titles tell which language the menu was offered in. */
function languageOfTitle(titles: Localized, title: string | undefined): ReplyLanguage | undefined {
  if (!title) return undefined;
  return LANGUAGES.find((lang) => titles[lang] === title);
}

/** Greetings (accents stripped) and the small talk that often follows them ("hi there", "oi, tudo bem?"). */
const GREETINGS = new Set(
  ('hi hello hey hiya howdy hola buenas buenos buen saludos ola oi opa bom boa morning afternoon evening dia dias ' +
    'tardes tarde noches noite good').split(' '),
);
const SMALL_TALK = new Set('there all everyone team tudo bem que tal como estas esta vai e ai how are you'.split(' '));

export function isOnlyGreeting(text: string): boolean {
  const words = normalizeWords(text);
  return words.some((w) => GREETINGS.has(w)) && words.every((w) => GREETINGS.has(w) || SMALL_TALK.has(w));
}
