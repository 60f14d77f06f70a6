/** The console's languages and how the first one is chosen (pure: no browser objects). */
export const LANGUAGES = ['es', 'pt', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The person's stored choice, else the browser's first language we have, else English. */
export function chooseLanguage(stored: string | null | undefined, browser: readonly string[]): Language {
  const known = (tag: string | null | undefined) => LANGUAGES.find((l) => l === tag?.toLowerCase().slice(0, 2));
  return known(stored) ?? browser.map(known).find((l) => l !== undefined) ?? 'en';
}
