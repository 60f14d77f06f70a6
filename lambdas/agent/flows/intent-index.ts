import MiniSearch from 'minisearch';
import { normalizeWords } from '#lambdas/agent/detect-language';
import type { BusinessFlows, FaqEntry } from '#lambdas/agent/flows/business-flows-schema';
import { LANGUAGES } from '#lambdas/agent/flows/business-flows-schema';

/**
 * Words that say nothing about the topic, in the three languages (accents stripped). Without
 * them "how do I", "como faço" and "cómo puedo" would outweigh the words that matter.
 */
const STOPWORDS = new Set(
  (
    'a an the and or is are was be to of in on at for with by from i me my we our you your it its this that do does did can could ' +
    'would will what which when where how why who please hi hello hey thanks thank there have has get am not no yes im any some just ' +
    'el la los las lo un una unos unas y o es son de del al en por para con sin mi mis tu tus su sus que como cuando donde ' +
    'quien cual cuales hola gracias me te se le les nos ya si no puedo quiero quisiera necesito esta estan estoy hay muy mas ' +
    'saber hacer tienen tiene usted ustedes buenas buenos buen dias tardes noches q k porfa favor pls plz ' +
    'o os as um uma e em no na nos nas do da dos das ao pelo pela com sem meu minha seu sua voce voces vc vcs que como quando onde ' +
    'qual quais ola oi obrigado obrigada eu me te se nao sim posso quero preciso esta estou tem muito mais gostaria ' +
    'bom boa dia tarde noite pra pro ai la isso aqui ja ainda ate'
  ).split(' '),
);

const SUFFIXES = [
  'amientos',
  'amiento',
  'amentos',
  'amento',
  'imento',
  'ciones',
  'cion',
  'coes',
  'cao',
  'mente',
  'ando',
  'endo',
  'indo',
  'ados',
  'adas',
  'idos',
  'idas',
  'ado',
  'ada',
  'ido',
  'ida',
  'ings',
  'ing',
  'ed',
  'es',
  'os',
  'as',
  'ar',
  'er',
  'ir',
  's',
  'o',
  'a',
  'e',
];

/** Folds the common inflections of the three languages onto one stem ("pedidos" → "pedid", "pagar"/"pago" → "pag"). */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  // Clitics on Spanish and Portuguese infinitives: "devolverlo", "cambiarla", "trocá-lo" (already split).
  word = word.replace(/(ar|er|ir)(lo|la|los|las|le|les|me|te|se|nos)$/, '$1');
  for (const suffix of SUFFIXES) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) return word.slice(0, -suffix.length);
  }
  return word;
}

export function contentTerms(text: string): string[] {
  return normalizeWords(text)
    .map((w) => w.replace(/(.)\1{2,}/g, '$1'))
    .filter((w) => !STOPWORDS.has(w) && !/^\d+$/.test(w))
    .map(stem);
}

/**
 * Topic words that change what a question is about: "cartão presente" is not a card payment, "change
 * the delivery address" is not a delivery time. When the query has one the matched entry does not know,
 * the match must rest on more than one word.
 */
const TOPIC_SHIFTERS = new Set(
  (
    'gift regalo presente address direccion endereco domicilio factura invoice fiscal nota receipt recibo cupon cupom coupon ' +
    'descuento desconto discount promo garantia warranty guarantee cancel cancelar cancela cancelo price precio preco cost cuesta custa ' +
    'stock disponible disponivel available job empleo vaga trabajo wholesale mayorista atacado franquicia ' +
    'franchise password contrasena senha account cuenta conta login physical fisica tienda loja store sucursal'
  )
    .split(' ')
    .map(stem),
);

export interface IntentMatch {
  faqId: string;
  score: number;
}

export interface IntentResult {
  /** The entry the customer most likely asks about, when the match is confident. */
  confident?: IntentMatch;
  /** The best match, confident or not (for the evaluation and logs). */
  best?: IntentMatch;
  runnerUp?: IntentMatch;
  /** Why a best match was not taken. */
  doubt?: 'low_score' | 'close_runner_up' | 'unknown_topic';
}

/** Score of the best entry must be this many times the runner-up's. */
const MARGIN = 1.35;
/**
 * The least score that can count, whatever the settings say: one fuzzy or prefix hit on a common
 * word scores about 2, one exact keyword about 5.
 */
export const INTENT_SCORE_FLOOR = 4;

/**
 * The business's FAQ as intents: each entry is one document of its questions in every language, its
 * keywords and the titles of the menu items pointing at it, searched with fuzzy and prefix matching.
 * A match counts only with a score over the business's `faqMinScore`, a margin over the runner-up,
 * and no topic word the entry does not know.
 */
export class IntentIndex {
  private readonly search: MiniSearch<{ id: string; question: string; keywords: string; menu: string; answer: string }>;
  private readonly vocabulary = new Map<string, Set<string>>();
  private readonly minScore: number;

  constructor(business: Pick<BusinessFlows, 'faq' | 'menu'>, minScore: number) {
    this.minScore = Math.max(minScore, INTENT_SCORE_FLOOR);
    this.search = new MiniSearch({
      fields: ['question', 'keywords', 'menu', 'answer'],
      tokenize: (text) => text.split(/\s+/).filter((t) => t.length > 0),
      processTerm: (term) => term,
      searchOptions: {
        boost: { keywords: 2, menu: 1.5, question: 1, answer: 0.4 },
        fuzzy: (term) => (term.length >= 6 ? 0.2 : term.length >= 5 ? 1 : 0),
        prefix: (term) => term.length >= 4,
        combineWith: 'OR',
      },
    });
    const docs = business.faq.map((entry: FaqEntry) => {
      const question = LANGUAGES.flatMap((l) => contentTerms(entry.question[l]));
      const keywords = entry.keywords.flatMap(contentTerms);
      const menu = business.menu
        .filter((m) => m.action.type === 'faq' && m.action.faqId === entry.id)
        .flatMap((m) => LANGUAGES.flatMap((l) => contentTerms(m.title[l])));
      const answer = LANGUAGES.flatMap((l) => contentTerms(entry.answer[l]));
      this.vocabulary.set(entry.id, new Set([...question, ...keywords, ...menu, ...answer]));
      return { id: entry.id, question: question.join(' '), keywords: keywords.join(' '), menu: menu.join(' '), answer: answer.join(' ') };
    });
    this.search.addAll(docs);
  }

  match(text: string): IntentResult {
    const terms = [...new Set(contentTerms(text))];
    if (terms.length === 0) return {};
    const results = this.search.search(terms.join(' '));
    const [first, second] = results;
    if (!first) return {};
    const best = { faqId: String(first.id), score: first.score };
    const runnerUp = second ? { faqId: String(second.id), score: second.score } : undefined;
    const base = { best, ...(runnerUp ? { runnerUp } : {}) };
    if (best.score < this.minScore) return { ...base, doubt: 'low_score' };
    if (runnerUp && best.score < runnerUp.score * MARGIN) return { ...base, doubt: 'close_runner_up' };
    const known = this.vocabulary.get(best.faqId) ?? new Set<string>();
    const unknownShifter = terms.some((t) => TOPIC_SHIFTERS.has(t) && !known.has(t));
    if (unknownShifter && first.queryTerms.filter((t) => !TOPIC_SHIFTERS.has(t)).length < 2) return { ...base, doubt: 'unknown_topic' };
    return { ...base, confident: best };
  }
}
