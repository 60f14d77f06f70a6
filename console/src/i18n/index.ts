import i18next from 'i18next';
import { en } from './en.ts';
import { es } from './es.ts';
import { pt } from './pt.ts';

import { chooseLanguage, LANGUAGES, type Language } from './choose-language.ts';

export { chooseLanguage, LANGUAGES, type Language };
export const resources = { en, es, pt } as const;

const STORAGE_KEY = 'console.language';

function storedChoice(): string | null {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

export async function initI18n(): Promise<typeof i18next> {
  const browser = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  await i18next.init({
    lng: chooseLanguage(storedChoice(), browser),
    fallbackLng: 'en',
    resources: { en: { translation: en }, es: { translation: es }, pt: { translation: pt } },
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  if (typeof document !== 'undefined') document.documentElement.lang = i18next.language;
  return i18next;
}

export async function setLanguage(language: Language): Promise<void> {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, language);
  } catch {
    /* private mode: the choice lasts this visit */
  }
  await i18next.changeLanguage(language);
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}

export { i18next };
