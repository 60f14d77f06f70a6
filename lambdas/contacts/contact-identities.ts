import { IDENTITY_KINDS, type ChannelIdentity, type ContactChannel, type IdentityKind } from '#lambdas/contacts/contact-model';
import type { SeenIdentity } from '#lambdas/contacts/contact-ports';
import { e164FromWaId, normalizePhoneNumber } from '#lambdas/contacts/phone-number';

/** Channel ids are short (wa_ids 15 digits, IGSIDs and PSIDs under 20, BSUIDs under 100). */
export const MAX_IDENTITY_VALUE_CHARS = 128;
const MAX_ACCOUNT_ID_CHARS = 64;
/** Identities one contact holds at most: a merge that would go past it is refused (it must fit one transaction). */
export const MAX_IDENTITIES = 40;

const ID = /^[A-Za-z0-9._:-]+$/;

/** An identity without its link details; `accountId` is required for Instagram and Messenger ids. */
export interface IdentityRef {
  kind: IdentityKind;
  value: string;
  accountId?: string;
}

export const identityNeedsAccount = (kind: IdentityKind): boolean => kind === 'instagram' || kind === 'messenger';

/** The same identity: kind, value and (for per-account ids) account. */
export function sameIdentity(a: Pick<ChannelIdentity, 'kind' | 'value' | 'accountId'>, b: Pick<ChannelIdentity, 'kind' | 'value' | 'accountId'>): boolean {
  return a.kind === b.kind && a.value === b.value && (!identityNeedsAccount(a.kind) || a.accountId === b.accountId);
}

/**
 * An identity as a store may key it, or the reason it may not: a known kind, a bounded id of
 * plain characters, an account for Instagram and Messenger ids, a phone in E.164.
 */
export function checkIdentity(identity: {
  kind: unknown;
  value: unknown;
  accountId?: unknown;
}): { ok: true; value: IdentityRef } | { ok: false; message: string } {
  const { kind, value, accountId } = identity;
  if (typeof kind !== 'string' || !(IDENTITY_KINDS as readonly string[]).includes(kind)) {
    return { ok: false, message: `kind: one of ${IDENTITY_KINDS.join(', ')}` };
  }
  const k = kind as IdentityKind;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_IDENTITY_VALUE_CHARS) {
    return { ok: false, message: `value: 1 to ${MAX_IDENTITY_VALUE_CHARS} characters` };
  }
  let v = value;
  if (k === 'phone') {
    const phone = normalizePhoneNumber(value);
    if (!phone) return { ok: false, message: 'value: a phone number with its country code (E.164, e.g. +5511987654321)' };
    v = phone;
  } else if (k === 'whatsapp' && !/^\d{6,20}$/.test(value)) {
    return { ok: false, message: "value: a WhatsApp id is the number's digits with its country code" };
  } else if (!ID.test(value)) {
    return { ok: false, message: 'value: letters, digits and . _ : - only' };
  }
  if (accountId !== undefined && (typeof accountId !== 'string' || !ID.test(accountId) || accountId.length > MAX_ACCOUNT_ID_CHARS)) {
    return { ok: false, message: `accountId: a channel account id (at most ${MAX_ACCOUNT_ID_CHARS} characters)` };
  }
  if (identityNeedsAccount(k) && typeof accountId !== 'string') {
    return { ok: false, message: `accountId: ${k} ids belong to one account; name it` };
  }
  return { ok: true, value: { kind: k, value: v, ...(typeof accountId === 'string' ? { accountId } : {}) } };
}

/**
 * How a customer message names its author, most specific first (the order `resolve` looks for an
 * owner in): WhatsApp — the wa_id, the business-scoped user id when Meta sent one, and the number
 * in E.164; Instagram — the IGSID of that account; Messenger — the PSID of that Page.
 */
export function identitiesOfCustomer(
  channel: ContactChannel,
  accountId: string,
  customer: { customerId: string; waId?: string; userId?: string },
): SeenIdentity[] {
  const out: SeenIdentity[] = [];
  const push = (kind: IdentityKind, value: string | undefined) => {
    if (!value) return;
    const checked = checkIdentity({ kind, value, accountId });
    if (checked.ok && !out.some((i) => sameIdentity(i, checked.value))) out.push({ ...checked.value, accountId });
  };
  if (channel === 'whatsapp') {
    const waId = customer.waId ?? (/^\d{6,20}$/.test(customer.customerId) ? customer.customerId : undefined);
    push('whatsapp', waId);
    push('whatsapp_bsuid', customer.userId ?? (waId ? undefined : customer.customerId));
    push('phone', waId ? e164FromWaId(waId) : undefined);
  } else {
    push(channel, customer.customerId);
  }
  return out;
}

/** The identity routing and consent look a channel's customer up by (the first one `identitiesOfCustomer` gives). */
export function primaryIdentityKinds(channel: ContactChannel): IdentityKind[] {
  return channel === 'whatsapp' ? ['whatsapp', 'whatsapp_bsuid'] : [channel];
}

/** Keeps `ChannelIdentity` entries in a stable order (kind, account, value), without duplicates. */
export function sortedIdentities(identities: readonly ChannelIdentity[]): ChannelIdentity[] {
  const unique: ChannelIdentity[] = [];
  for (const i of identities) if (!unique.some((u) => sameIdentity(u, i))) unique.push(i);
  const rank = (k: IdentityKind) => IDENTITY_KINDS.indexOf(k);
  return unique.sort((a, b) => rank(a.kind) - rank(b.kind) || (a.accountId ?? '').localeCompare(b.accountId ?? '') || a.value.localeCompare(b.value));
}
