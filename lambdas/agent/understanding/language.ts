import { normalizeWords, type ReplyLanguage } from '#lambdas/agent/detect-language';
import { detectNgramLanguage } from '#lambdas/agent/understanding/ngram-language-detector';

/** What is known about the conversation before reading the new messages. */
export interface LanguagePriors {
  /** The language the conversation has been held in so far (stored on the conversation). */
  conversation?: ReplyLanguage;
  /** The WhatsApp customer's number (wa_id: country code and number, digits only). */
  phoneNumber?: string;
  /** The business's default language. */
  businessDefault: ReplyLanguage;
}

export type LanguageEvidence = 'explicit_request' | 'detected' | 'conversation' | 'phone_country' | 'business_default';

export interface ResolvedLanguage {
  language: ReplyLanguage;
  evidence: LanguageEvidence;
  /**
   * Other languages the customer may rather be written to in, when the evidence is split: the
   * text points one way and the phone's country or the conversation so far another, or the text
   * mixes two languages. The reply then offers them once (compose-reply.ts).
   */
  alternatives?: ReplyLanguage[];
}

/**
 * Calling codes whose customers write in one of our languages. Brazil is Portuguese; the Spanish-
 * speaking Americas and Spain are Spanish; the US/Canada and the UK are English. Others tell nothing.
 */
const CALLING_CODES: ReadonlyArray<[string, ReplyLanguage]> = [
  ['55', 'pt'],
  ['351', 'pt'],
  ['244', 'pt'],
  ['258', 'pt'],
  ['52', 'es'],
  ['57', 'es'],
  ['54', 'es'],
  ['56', 'es'],
  ['51', 'es'],
  ['34', 'es'],
  ['58', 'es'],
  ['593', 'es'],
  ['591', 'es'],
  ['595', 'es'],
  ['598', 'es'],
  ['502', 'es'],
  ['503', 'es'],
  ['504', 'es'],
  ['505', 'es'],
  ['506', 'es'],
  ['507', 'es'],
  ['53', 'es'],
  ['1', 'en'],
  ['44', 'en'],
  ['61', 'en'],
  ['64', 'en'],
  ['353', 'en'],
];

export function languageOfPhone(phoneNumber: string | undefined): ReplyLanguage | undefined {
  const digits = (phoneNumber ?? '').replace(/\D/g, '');
  if (digits.length < 8) return undefined;
  // Longest code first, so 351 (Portugal) is not read as 35x.
  const match = [...CALLING_CODES].sort((a, b) => b[0].length - a[0].length).find(([code]) => digits.startsWith(code));
  return match?.[1];
}

/** Phrases in which a customer asks for a language by name. */
const EXPLICIT: ReadonlyArray<[RegExp, ReplyLanguage]> = [
  [/\b(in|speak|talk|write|reply|answer)( in)? english\b|\benglish( please| pls)?$|^english\b|\ben ingles\b|\bem ingles\b/, 'en'],
  [/\b(en|in|hablar|hablen|hablas|habla|speak|em) (espanol|castellano|spanish)\b|^(espanol|spanish|castellano)( por favor| please)?$/, 'es'],
  [/\b(em|en|in|falar|fala|falam|speak) (portugues|portuguese|brasileiro)\b|^(portugues|portuguese)( por favor| please)?$/, 'pt'],
];

/** Words that make a mention of a language a request ("can you answer in English", "pode falar em português?"). */
const REQUEST =
  /\b(please|pls|plz|can|could|would|answer|reply|respond|write|por favor|porfa|puede|puedes|podria|podes|responde|responda|respondan|escribe|escriba|hablame|hablen|pode|podem|poderia|fala|fale|falem|escreva|responder|prefiero|prefer|prefiro)\b/;

/** A customer asking for a language by name: a short message ("english please") or a request. */
export function explicitLanguageRequest(text: string): ReplyLanguage | undefined {
  const said = normalizeWords(text).join(' ');
  const asked = EXPLICIT.find(([pattern]) => pattern.test(said))?.[1];
  if (!asked) return undefined;
  return said.split(' ').length <= 4 || REQUEST.test(said) ? asked : undefined;
}

/**
 * Words that belong to one of the three languages only (accents stripped, repeated letters
 * squashed: "holaaa" is "hola"). Words shared by two of them ("de", "que", "se", "para", "pedido")
 * are deliberately absent: they are what made a single word flip a conversation.
 */
const OWN_WORDS: Readonly<Record<ReplyLanguage, ReadonlySet<string>>> = {
  en: new Set(
    (
      'the and is are you your i my me it what how can could please thanks thank hello hi hey where when why help does ' +
      'have has this that want need would like know about send got arrived broken order shipping delivery refund ' +
      'return stop sending messages unsubscribe pay payment card hours open do dont cant im ive still yet never package'
    ).split(' '),
  ),
  es: new Set(
    (
      'el los las y es un una por con mi tu hola gracias quiero necesito ayuda donde cuando buenos buenas dias tardes ' +
      'noches estoy tengo puedo usted pero muy hay ya del al lo le mis su quisiera saber porque tambien bien hasta ' +
      'gustaria cual cuales ustedes tiene tienen llego roto rota envio entrega cuanto tarda baja mensajes recibir mas ' +
      'dejen manden aceptan tarjeta pago cuotas horario abren devolucion reembolso cambiar direccion dañado danado ' +
      'todavia aun nunca muchas vale genial sus mande esta cuesta necesitaria oye q k chido la si gusta plata devuelven lista ' +
      'saquenme sacame desuscribirme suscripcion publicidad ofertas perfecto listo dale chau adios che'
    ).split(' '),
  ),
  pt: new Set(
    (
      'em um uma com meu minha voce voces vc vcs ola oi obrigado obrigada quero preciso ajuda onde quando bom boa dia ' +
      'noite estou tenho posso sim mas muito nao do da dos das na no ao isso tudo seu sua gostaria saber porque ' +
      'tambem ate qual quais nos vou eu se pra pro chegou quebrado quebrada entrega frete quanto demora sair mensagem ' +
      'mensagens receber mais pare aceitam cartao pagamento parcelar pix boleto horario abrem devolucao troca trocar ' +
      'endereco ainda nunca valeu beleza blz cade tem fazer ja estao atendente descadastrar estorno ' +
      'promocoes inscricao tchau obrigadao show'
    ).split(' '),
  ),
};

/** Letters only one of the languages uses. */
const MARKS: Readonly<Record<ReplyLanguage, RegExp>> = { en: /(?!)/g, es: /[ñ¿¡]/g, pt: /[ãõç]|[àâê]/g };

const squash = (w: string) => w.replace(/(.)\1{2,}/g, '$1');

/** Evidence per language from the words and letters of a text, and from a detector over its n-grams. */
export function languageEvidence(text: string): { scores: Record<ReplyLanguage, number>; letters: number } {
  const lower = text.toLowerCase();
  const words = normalizeWords(text).map(squash);
  const scores: Record<ReplyLanguage, number> = { en: 0, es: 0, pt: 0 };
  for (const lang of ['en', 'es', 'pt'] as const) {
    const wordHits = words.filter((w) => OWN_WORDS[lang].has(w)).length;
    scores[lang] += wordHits + 2 * (lower.match(MARKS[lang])?.length ?? 0);
  }
  const letters = (text.match(/\p{L}/gu) ?? []).length;
  if (letters >= 8) {
    // eld's n-gram detector over en/es/pt only (ngram-language-detector.ts).
    const detected = detectNgramLanguage(squash(lower));
    const all = detected.getScores();
    const best = detected.language;
    if (best !== '') {
      const ranked = Object.values(all).sort((a, b) => b - a);
      const margin = ranked.length > 1 ? (ranked[0]! - ranked[1]!) / Math.max(ranked[0]!, 1e-9) : 1;
      // A detection on longer text with a clear margin weighs like several words of evidence.
      const weight = Math.min(3, letters / 12) * Math.min(1, margin * 4) * (detected.isReliable() ? 1 : 0.5);
      scores[best] += weight;
    }
  }
  return { scores, letters };
}

/** How far ahead another language must be to move a conversation off its language. */
const SWITCH_LEAD = 2;

/**
 * The language to answer in. A conversation keeps its language unless the customer asks for
 * another or writes clearly in another (its evidence leads by SWITCH_LEAD and the current one has
 * almost none): one ambiguous word never flips it. A first message goes by its own evidence when it
 * has any lead, else by the phone's country, else by the business's default.
 */
export function resolveLanguage(text: string, priors: LanguagePriors): ResolvedLanguage {
  const asked = explicitLanguageRequest(text);
  if (asked) return { language: asked, evidence: 'explicit_request' };
  const phone = languageOfPhone(priors.phoneNumber);
  const prior = priors.conversation ?? phone ?? priors.businessDefault;
  const { scores } = languageEvidence(text);
  const ranked = (Object.entries(scores) as Array<[ReplyLanguage, number]>).sort((a, b) => b[1] - a[1]);
  const [best, bestScore] = ranked[0]!;
  const [second, runnerUp] = ranked[1]!;
  const split = (language: ReplyLanguage, others: ReplyLanguage[]): ReplyLanguage[] | undefined => {
    const list = [...new Set(others)].filter((l) => l !== language);
    return list.length > 0 ? list : undefined;
  };
  const withAlternatives = (resolved: ResolvedLanguage, others: ReplyLanguage[]): ResolvedLanguage => {
    const alternatives = split(resolved.language, others);
    return alternatives ? { ...resolved, alternatives } : resolved;
  };
  if (priors.conversation) {
    if (best !== prior && bestScore - scores[prior] >= SWITCH_LEAD && scores[prior] <= bestScore / 3) {
      return { language: best, evidence: 'detected' };
    }
    // Clearly written in another language, but the conversation's own has evidence too: keep it, and offer the other.
    const contested = best !== prior && bestScore - scores[prior] >= SWITCH_LEAD;
    return withAlternatives({ language: prior, evidence: 'conversation' }, contested ? [best] : []);
  }
  // A message mixing two languages about evenly ("hola, tudo bem? quero saber del envío").
  const mixed = bestScore >= 2 && runnerUp >= 2 && bestScore - runnerUp < 1 ? [second] : [];
  if (bestScore > 0 && (best === prior ? bestScore > runnerUp : bestScore - Math.max(runnerUp, scores[prior]) >= 0.75)) {
    // The text's language, against the phone's country with little text to go by (a Brazilian number writing "hola").
    const againstPhone = phone !== undefined && phone !== best && bestScore < 3 ? [phone] : [];
    return withAlternatives({ language: best, evidence: 'detected' }, [...mixed, ...againstPhone]);
  }
  const evidence: LanguageEvidence = phone ? 'phone_country' : 'business_default';
  // Some evidence for another language, not enough to go by: keep the prior and offer it.
  const leaning = bestScore >= 1 && best !== prior ? [best] : [];
  return withAlternatives({ language: prior, evidence }, [...mixed, ...leaning]);
}
