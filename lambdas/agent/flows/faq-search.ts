import type { FaqEntry, FlowLanguage } from '#lambdas/agent/flows/business-flows-schema';
import { LANGUAGES } from '#lambdas/agent/flows/business-flows-schema';
import { normalizeWords } from '#lambdas/agent/detect-language';

/**
 * Words that say nothing about the topic, in the three languages (accents stripped). Without
 * them "how do I", "como faço" and "cómo puedo" would outweigh the words that matter.
 */
const STOPWORDS = new Set(
  (
    'a an the and or is are was be to of in on at for with by from i me my we our you your it this that do does did can could ' +
    'would will what which when where how why who please hi hello thanks thank there have has get am not no yes ' +
    'el la los las lo un una unos unas y o es son de del al en por para con sin mi mis tu tus su sus que como cuando donde ' +
    'quien cual hola gracias me te se le nos ya si no puedo quiero necesito esta estoy hay muy mas ' +
    'o os as um uma e em no na nos nas do da dos das ao pelo pela com sem meu minha seu sua voce vcs que como quando onde ' +
    'qual ola oi obrigado obrigada eu me te se nao sim posso quero preciso esta estou tem muito mais'
  ).split(' '),
);

/**
 * Folds the common inflections of the three languages onto one stem ("pedidos" → "pedid",
 * "devolución"/"devolucion" → "devoluc", "tracking" → "track"), enough for a keyword match to
 * survive a plural or a verb form.
 */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  for (const suffix of ['ciones', 'cion', 'coes', 'cao', 'ings', 'ing', 'mente', 'es', 'os', 'as', 's', 'o', 'a', 'e']) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) return word.slice(0, -suffix.length);
  }
  return word;
}

export function tokenize(text: string): string[] {
  return normalizeWords(text)
    .filter((w) => !STOPWORDS.has(w))
    .map(stem);
}

export interface FaqMatch {
  entry: FaqEntry;
  score: number;
}

interface IndexedDoc {
  entry: FaqEntry;
  termFrequency: Map<string, number>;
  length: number;
}

/** Okapi BM25's usual constants: term saturation and length normalisation. */
const K1 = 1.2;
const B = 0.75;

/**
 * BM25 over the FAQ. Each entry is one document made of its question in every language, its
 * keywords (weighted double: they are the words customers actually use) and its answers, so a
 * question in any of es/pt/en finds the same entry.
 */
export class FaqIndex {
  private readonly docs: IndexedDoc[];
  private readonly documentFrequency = new Map<string, number>();
  private readonly averageLength: number;

  constructor(entries: readonly FaqEntry[]) {
    this.docs = entries.map((entry) => {
      const terms = [
        ...LANGUAGES.flatMap((l: FlowLanguage) => tokenize(entry.question[l])),
        ...entry.keywords.flatMap((k) => {
          const t = tokenize(k);
          return [...t, ...t];
        }),
        ...LANGUAGES.flatMap((l: FlowLanguage) => tokenize(entry.answer[l])),
      ];
      const termFrequency = new Map<string, number>();
      for (const term of terms) termFrequency.set(term, (termFrequency.get(term) ?? 0) + 1);
      return { entry, termFrequency, length: terms.length };
    });
    for (const doc of this.docs) {
      for (const term of doc.termFrequency.keys()) this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
    }
    this.averageLength = this.docs.reduce((sum, d) => sum + d.length, 0) / Math.max(1, this.docs.length);
  }

  /** Entries ranked by score, best first; entries sharing no term with the query are left out. */
  search(query: string, limit = 3): FaqMatch[] {
    const terms = [...new Set(tokenize(query))];
    const n = this.docs.length;
    return this.docs
      .map((doc) => {
        let score = 0;
        for (const term of terms) {
          const tf = doc.termFrequency.get(term);
          if (!tf) continue;
          const df = this.documentFrequency.get(term) ?? 0;
          const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
          score += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * doc.length) / this.averageLength));
        }
        return { entry: doc.entry, score };
      })
      .filter((m) => m.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  }
}
