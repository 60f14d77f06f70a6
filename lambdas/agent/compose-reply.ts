import { detectLanguage, normalizeWords, type ReplyLanguage } from '#lambdas/agent/detect-language';
import type { ReplyOption } from '#lambdas/outbound/outbound-message';

/** What the responder reads of each unanswered customer message. */
export interface CustomerMessage {
  type: string;
  text?: string;
  choiceId?: string;
  choiceTitle?: string;
}

export type ReplyKind = 'menu' | 'choice_answer' | 'handoff_ack';

export interface ComposedReply {
  language: ReplyLanguage;
  kind: ReplyKind;
  text: string;
  /** Offered as WhatsApp reply buttons or Instagram/Messenger quick replies. */
  options?: ReplyOption[];
  /** Label of the button that opens a WhatsApp list, should the options not fit in buttons. */
  optionsLabel?: string;
}

type MenuChoice = 'order_status' | 'opening_hours' | 'talk_to_person';

/** Choice ids come back verbatim as button ids, quick reply payloads and postback payloads. */
export const MENU_CHOICE_PREFIX = 'menu:';
const MENU: readonly MenuChoice[] = ['order_status', 'opening_hours', 'talk_to_person'];

interface Phrases {
  menu: string;
  acknowledge: string;
  greeting: string;
  optionsLabel: string;
  /** Titles stay within 20 characters: WhatsApp's reply button limit, and Messenger's quick reply one. */
  titles: Record<MenuChoice, string>;
  answers: Record<MenuChoice, string>;
}

const PHRASES: Readonly<Record<ReplyLanguage, Phrases>> = {
  en: {
    menu: 'Hi! How can we help you today? Pick an option below or just type your question.',
    acknowledge: 'Thanks for your message! A person from our team will follow up here shortly.',
    greeting: 'Hi!',
    optionsLabel: 'Options',
    titles: { order_status: 'Order status', opening_hours: 'Opening hours', talk_to_person: 'Talk to a person' },
    answers: {
      order_status: 'Please send us your order number and we will check its status for you.',
      opening_hours:
        'Our team answers Monday to Friday during business hours. Leave your message here at any time and we will get back to you.',
      talk_to_person: 'Of course. A person from our team will continue this conversation here shortly.',
    },
  },
  es: {
    menu: '¡Hola! ¿En qué podemos ayudarte hoy? Elige una opción o escribe tu pregunta.',
    acknowledge: '¡Gracias por tu mensaje! Una persona de nuestro equipo te responderá aquí en breve.',
    greeting: '¡Hola!',
    optionsLabel: 'Opciones',
    titles: { order_status: 'Estado del pedido', opening_hours: 'Horario', talk_to_person: 'Hablar con persona' },
    answers: {
      order_status: 'Envíanos tu número de pedido y revisaremos su estado.',
      opening_hours:
        'Nuestro equipo atiende de lunes a viernes en horario comercial. Déjanos tu mensaje cuando quieras y te responderemos.',
      talk_to_person: 'Por supuesto. Una persona de nuestro equipo continuará esta conversación aquí en breve.',
    },
  },
  pt: {
    menu: 'Olá! Como podemos ajudar hoje? Escolha uma opção ou escreva sua pergunta.',
    acknowledge: 'Obrigado pela sua mensagem! Uma pessoa da nossa equipe responderá aqui em breve.',
    greeting: 'Olá!',
    optionsLabel: 'Opções',
    titles: { order_status: 'Status do pedido', opening_hours: 'Horário', talk_to_person: 'Falar com atendente' },
    answers: {
      order_status: 'Envie o número do seu pedido e verificaremos o status para você.',
      opening_hours:
        'Nossa equipe atende de segunda a sexta em horário comercial. Deixe sua mensagem a qualquer momento e retornaremos.',
      talk_to_person: 'Claro. Uma pessoa da nossa equipe continuará esta conversa aqui em breve.',
    },
  },
};

/** Greetings (accents stripped) and the small talk that often follows them ("hi there", "oi, tudo bem?"). */
const GREETINGS = new Set(
  ('hi hello hey hiya howdy hola buenas buenos buen saludos ola oi opa bom boa morning afternoon evening dia dias ' +
    'tardes tarde noches noite good').split(' '),
);
const SMALL_TALK = new Set('there all everyone team tudo bem que tal como estas esta vai e ai how are you'.split(' '));

/**
 * The first agent's rule-based responder: a tapped menu choice gets its answer, a greeting gets
 * the menu, anything else gets an acknowledgement that a person will follow up — in the language
 * the customer wrote in.
 */
export function composeReply(messages: readonly CustomerMessage[], fallbackLanguage: ReplyLanguage = 'en'): ComposedReply {
  const latest = messages.at(-1);
  const text = messages
    .map((m) => m.text ?? '')
    .filter((t) => t.length > 0)
    .join('\n');

  const choice = latest ? menuChoiceOf(latest) : undefined;
  if (choice && latest) {
    const language = languageOfTitle(choice, latest.choiceTitle) ?? detectLanguage(text, fallbackLanguage);
    return { language, kind: 'choice_answer', text: PHRASES[language].answers[choice] };
  }

  const language = detectLanguage(text, fallbackLanguage);
  const phrases = PHRASES[language];
  const texts = messages.filter((m) => m.type === 'text' && m.text);
  if (texts.length > 0 && texts.length === messages.length && texts.every((m) => isOnlyGreeting(m.text ?? ''))) {
    return {
      language,
      kind: 'menu',
      text: phrases.menu,
      options: MENU.map((c) => ({ id: `${MENU_CHOICE_PREFIX}${c}`, title: phrases.titles[c] })),
      optionsLabel: phrases.optionsLabel,
    };
  }
  const greeted = texts.some((m) => normalizeWords(m.text ?? '').some((w) => GREETINGS.has(w)));
  return { language, kind: 'handoff_ack', text: greeted ? `${phrases.greeting} ${phrases.acknowledge}` : phrases.acknowledge };
}

function menuChoiceOf(message: CustomerMessage): MenuChoice | undefined {
  if (message.type !== 'choice' || !message.choiceId?.startsWith(MENU_CHOICE_PREFIX)) return undefined;
  const id = message.choiceId.slice(MENU_CHOICE_PREFIX.length);
  return (MENU as readonly string[]).includes(id) ? (id as MenuChoice) : undefined;
}

/** Our own button titles tell which language the menu was offered in. */
function languageOfTitle(choice: MenuChoice, title: string | undefined): ReplyLanguage | undefined {
  if (!title) return undefined;
  return (Object.keys(PHRASES) as ReplyLanguage[]).find((lang) => PHRASES[lang].titles[choice] === title);
}

export function isOnlyGreeting(text: string): boolean {
  const words = normalizeWords(text);
  return words.some((w) => GREETINGS.has(w)) && words.every((w) => GREETINGS.has(w) || SMALL_TALK.has(w));
}
