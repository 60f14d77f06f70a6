/** Languages the first agent answers in. */
export type ReplyLanguage = 'en' | 'es' | 'pt';

/**
 * Frequent words of each language, accents stripped (customers often type without them). Words
 * common to two languages (`de`, `que`, `para`, `pedido`) appear in both lists and cancel out.
 */
const WORDS: Readonly<Record<ReplyLanguage, ReadonlySet<string>>> = {
  en: new Set(
    (
      'the and is are you your i my me to of it in on for with what how can could please thanks thank hello hi hey ' +
      'where when why order help do does have has not this that good morning afternoon evening want need yes ' +
      'there would like get am was know about send'
    ).split(' '),
  ),
  es: new Set(
    (
      'el la los las de que y es en un una por para con mi tu hola gracias quiero necesito pedido ayuda donde ' +
      'como cuando buenos buenas dias tardes noches esta estoy tengo puedo usted si pero muy hay ya del al lo le ' +
      'me se mis su quisiera saber porque tambien bien hasta gustaria cual cuales ustedes tiene'
    ).split(' '),
  ),
  pt: new Set(
    (
      'de que em um uma por para com meu minha voce ola oi obrigado obrigada quero preciso pedido ajuda onde ' +
      'como quando bom boa dia tarde noite esta estou tenho posso sim mas muito nao do da dos das na ao isso ' +
      'tudo bem seu sua gostaria saber porque tambem ate vcs voces qual quais nos vou'
    ).split(' '),
  ),
};

/** Letters only one of the languages uses. */
const MARKS: Readonly<Record<ReplyLanguage, RegExp>> = {
  en: /(?!)/g,
  es: /[ñ¿¡]/g,
  pt: /[ãõç]/g,
};

export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/**
 * Keyword scoring: good enough to greet a customer in their language, not a language model.
 * Texts without any known word, and ties the fallback (the conversation's language, else
 * English) takes part in, keep the fallback.
 */
export function detectLanguage(text: string, fallback: ReplyLanguage = 'en'): ReplyLanguage {
  const lower = text.toLowerCase();
  const words = normalizeWords(text);
  const scores = (Object.keys(WORDS) as ReplyLanguage[]).map((lang) => {
    const wordScore = words.filter((w) => WORDS[lang].has(w)).length;
    const markScore = 2 * (lower.match(MARKS[lang])?.length ?? 0);
    return { lang, score: wordScore + markScore };
  });
  const best = Math.max(...scores.map((s) => s.score));
  const leaders = scores.filter((s) => s.score === best);
  if (best === 0 || leaders.some((s) => s.lang === fallback)) return fallback;
  return leaders[0]!.lang;
}
