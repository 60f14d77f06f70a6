import { normalizePhoneNumber } from '#lambdas/contacts/phone-number';

/** Characters of a name kept in the search index (the index key stays far below 1,024 bytes). */
const MAX_INDEXED_NAME_CHARS = 150;
export const MAX_SEARCH_TEXT_CHARS = 100;
export const MAX_SEARCH_RESULTS = 50;

/**
 * A name as the search index holds it: lower case, accents dropped (`María` is found by `maria`),
 * whitespace collapsed, `#` (the key separator) removed.
 */
export function searchableName(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/#/g, ' ').replace(/\s+/g, ' ').trim().slice(0, MAX_INDEXED_NAME_CHARS);
}

/** `gsi3sk` of a name or an E.164 phone: `<searchable text>#<contact id>`. */
export const contactSearchSk = (text: string, contactId: string) => `${text}#${contactId}`;

/** The contact id at the end of a `gsi3sk`. */
export const contactIdOfSearchSk = (sk: string): string => sk.slice(sk.lastIndexOf('#') + 1);

/**
 * What a search text looks for in the index: a phone prefix (`+55 11 9…`, `5511…`: digits, with
 * `+`, spaces, dashes, dots or brackets, at least three digits) or a name prefix. Undefined: nothing
 * to look for.
 */
export function searchPrefix(text: string): string | undefined {
  const trimmed = text.trim().slice(0, MAX_SEARCH_TEXT_CHARS);
  if (trimmed.length === 0) return undefined;
  if (/^[+\d(][\d\s().-]*$/.test(trimmed)) {
    const digits = trimmed.replace(/\D/g, '');
    if (digits.length >= 3) {
      // A whole number is searched as its E.164 form (the Mexican 521 rule and all); a part as typed.
      const whole = normalizePhoneNumber(trimmed);
      return whole ?? `+${trimmed.startsWith('00') ? digits.slice(2) : digits}`;
    }
  }
  const name = searchableName(trimmed);
  return name.length > 0 ? name : undefined;
}
