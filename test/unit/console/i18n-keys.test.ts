import { describe, expect, it } from 'vitest';
import { en } from '../../../console/src/i18n/en.ts';
import { es } from '../../../console/src/i18n/es.ts';
import { pt } from '../../../console/src/i18n/pt.ts';
import { chooseLanguage } from '../../../console/src/i18n/choose-language.ts';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}
function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!).sort();
}
function lookup(tree: unknown, key: string): string {
  return key.split('.').reduce((node: unknown, part) => (node as Record<string, unknown>)[part], tree) as string;
}

describe('console languages', () => {
  it('has the same keys in Spanish, Portuguese and English', () => {
    const english = keys(en).sort();
    expect(english.length).toBeGreaterThan(200);
    expect(keys(es).sort()).toEqual(english);
    expect(keys(pt).sort()).toEqual(english);
  });

  it('keeps every interpolation of the English text in the other two', () => {
    for (const key of keys(en)) {
      expect(placeholders(lookup(es, key)), `es ${key}`).toEqual(placeholders(lookup(en, key)));
      expect(placeholders(lookup(pt, key)), `pt ${key}`).toEqual(placeholders(lookup(en, key)));
    }
  });

  it('has no empty text', () => {
    for (const tree of [en, es, pt]) for (const key of keys(tree)) expect(lookup(tree, key).trim(), key).not.toBe('');
  });

  it('prefers the stored choice, then the browser language, then English', () => {
    expect(chooseLanguage('pt', ['es-MX'])).toBe('pt');
    expect(chooseLanguage(null, ['fr-FR', 'es-AR'])).toBe('es');
    expect(chooseLanguage('xx', ['pt-BR'])).toBe('pt');
    expect(chooseLanguage(undefined, ['de'])).toBe('en');
  });
});
