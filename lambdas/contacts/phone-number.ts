import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/** E.164: `+`, a country code and the national number, 8 to 15 digits in all (ITU-T E.164). */
const E164 = /^\+[1-9]\d{7,14}$/;
const MAX_INPUT_CHARS = 40;

export const isE164 = (value: string): boolean => E164.test(value);

/**
 * A WhatsApp wa_id (the customer's number as digits with its country code, no `+`) as E.164, or
 * undefined when it is not a possible number. Mexico's mobile numbers still arrive with the old
 * mobile `1` after the country code (`521…`), which the numbering plan dropped in 2019: `+52…` is
 * the number people dial and CRMs hold.
 */
export function e164FromWaId(waId: string): string | undefined {
  if (!/^\d{8,15}$/.test(waId)) return undefined;
  const mexicanMobile = /^521(\d{10})$/.exec(waId);
  if (mexicanMobile) return `+52${mexicanMobile[1]}`;
  return possibleNumber(`+${waId}`);
}

/**
 * A number typed by a person or sent by a CRM (`+55 (11) 98765-4321`, `0044 7700 900123`), as
 * E.164; undefined when it is not a possible number. Without a leading `+` or `00` it is taken as
 * international digits, like a wa_id: the business's country is not assumed.
 */
export function normalizePhoneNumber(input: string): string | undefined {
  if (input.length > MAX_INPUT_CHARS) return undefined;
  const trimmed = input.trim();
  if (!/^[+\d][\d\s().\-/]*$/.test(trimmed)) return undefined;
  const digits = trimmed.replace(/\D/g, '');
  const international = trimmed.startsWith('+') ? digits : digits.startsWith('00') ? digits.slice(2) : digits;
  return e164FromWaId(international);
}

function possibleNumber(candidate: string): string | undefined {
  // The `min` metadata knows every country's number lengths, which is what "possible" checks;
  // validity (is this range assigned?) needs the larger metadata and changes as plans change.
  const parsed = parsePhoneNumberFromString(candidate);
  if (!parsed?.isPossible()) return undefined;
  return isE164(parsed.number) ? parsed.number : undefined;
}
