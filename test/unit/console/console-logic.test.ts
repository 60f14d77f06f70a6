import { describe, expect, it } from 'vitest';
import { barGeometry, percent } from '../../../console/src/lib/charts.ts';
import { formatRanges, parseRanges, problemsByField, problemsOf, splitList } from '../../../console/src/lib/admin-forms.ts';
import { matchShortcut, SHORTCUTS } from '../../../console/src/lib/shortcuts.ts';
import { figure } from '../../../console/src/lib/stats-figures.ts';
import { dateKey, formatSeconds } from '../../../console/src/lib/time-format.ts';

const press = (over: Partial<Parameters<typeof matchShortcut>[0]>) => ({
  key: '',
  code: '',
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  typing: false,
  ...over,
});

describe('shortcuts', () => {
  it('every shortcut has a distinct key and matches', () => {
    expect(new Set(SHORTCUTS.map((s) => s.keys)).size).toBe(SHORTCUTS.length);
    expect(matchShortcut(press({ key: 'å', code: 'KeyA', altKey: true }))).toBe('acceptOffer');
    expect(matchShortcut(press({ key: 'Enter', ctrlKey: true, typing: true }))).toBe('send');
    expect(matchShortcut(press({ key: '?' }))).toBe('help');
  });

  it('plain letters do not fire while typing; Alt ones do', () => {
    expect(matchShortcut(press({ key: 'j', typing: true }))).toBeUndefined();
    expect(matchShortcut(press({ key: 'j' }))).toBe('nextConversation');
    expect(matchShortcut(press({ code: 'KeyC', altKey: true, typing: true }))).toBe('close');
    expect(matchShortcut(press({ key: 'Escape', typing: true }))).toBe('dismiss');
  });
});

describe('admin forms', () => {
  it('parses lists and opening hours', () => {
    expect(splitList(' a, b,, a ,c ')).toEqual(['a', 'b', 'c']);
    expect(parseRanges('9:00-13:00, 14:00 – 18:30')).toEqual({
      ok: true,
      ranges: [
        { from: '09:00', to: '13:00' },
        { from: '14:00', to: '18:30' },
      ],
    });
    expect(parseRanges('nine to five')).toEqual({ ok: false, bad: 'nine to five' });
    expect(formatRanges([{ from: '09:00', to: '13:00' }])).toBe('09:00-13:00');
  });

  it('places bot-settings problems next to their field, the rest above', () => {
    const problems = problemsOf({
      problems: [
        { path: 'faq.0.answer.es', message: 'too long' },
        { path: 'greeting.en.x', message: 'bad' },
        { path: 'menu', message: 'duplicate' },
        { path: 3 },
      ],
    });
    const by = problemsByField(problems, new Set(['faq.0.answer.es', 'greeting.en']));
    expect(by.get('faq.0.answer.es')).toEqual(['too long']);
    expect(by.get('greeting.en')).toEqual(['bad']);
    expect(by.get('(other)')).toEqual(['menu: duplicate']);
    expect(problemsOf('nope')).toEqual([]);
  });
});

describe('supervisor figures', () => {
  it('draws bars proportionally and reads figures', () => {
    const bars = barGeometry([10, 5, undefined, -1], 100, 20);
    expect(bars.map((b) => b.height)).toEqual([20, 10, 0, 0]);
    expect(barGeometry([], 100, 20)).toEqual([]);
    expect(percent(0.856)).toBe('86 %');
    expect(percent(92)).toBe('92 %');
    expect(figure({ frtSeconds: 42 }, 'frt')).toBe(42);
    expect(figure({ frtSeconds: 'x' }, 'frt')).toBeUndefined();
    expect(formatSeconds(3_900)).toBe('1 h 05 min');
    expect(dateKey(new Date('2025-03-10T03:00:00Z'), 'America/Mexico_City')).toBe('2025-03-09');
  });
});
