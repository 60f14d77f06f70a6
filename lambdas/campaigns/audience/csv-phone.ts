import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { isE164, normalizePhoneNumber } from '#lambdas/contacts/phone-number';

const MAX_INPUT_CHARS = 40;

/** Whether libphonenumber knows the country (ISO 3166 alpha-2, upper or lower case). */
export const isKnownCountry = (country: string): boolean => isSupportedCountry(country.toUpperCase());

/**
 * A CSV cell as an E.164 number, or undefined when it is not a possible number.
 *
 * A number written with `+` or `00` is international. One written without them is read as a
 * national number of `defaultCountry` when one is given and that makes a possible number there
 * (`(11) 98765-4321` in BR); otherwise as international digits without the `+`
 * (`5511987654321`), the way WhatsApp ids and most CRM exports write them. Only digits, spaces
 * and `+ ( ) . - /` are read: anything else (a formula like `=cmd|…`, letters) is not a number.
 */
export function csvPhoneToE164(cell: string, defaultCountry?: string): string | undefined {
  if (cell.length > MAX_INPUT_CHARS) return undefined;
  const trimmed = cell.trim();
  if (!/^[+\d(][\d\s().\-/]*$/.test(trimmed)) return undefined;
  if (trimmed.startsWith('+') || trimmed.startsWith('00') || !defaultCountry || !isKnownCountry(defaultCountry)) return normalizePhoneNumber(trimmed);
  const national = parsePhoneNumberFromString(trimmed, defaultCountry.toUpperCase() as Parameters<typeof parsePhoneNumberFromString>[1] & string);
  if (national?.isPossible() && isE164(national.number)) return national.number;
  return normalizePhoneNumber(trimmed);
}

/** The wa_id form of an E.164 number: its digits. */
export const waIdOfE164 = (e164: string): string => e164.replace(/^\+/, '');
