import type { Checked } from '#lambdas/contacts/contact-attributes';
import { CHANNELS, CONSENT_STATES, type ConsentRecord, type Contact, type ContactChannel } from '#lambdas/contacts/contact-model';
import { stripUndefined } from '#lambdas/contacts/contact-changes';
import { sha256Hex } from '#lambdas/shared/hash';

const MAX_EVIDENCE_TEXT_CHARS = 1_000;
const SOURCES = ['customer_message', 'operator', 'import', 'crm', 'form'] as const;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** A consent decision as it may be kept: known status, scope and source, an ISO time, bounded evidence. */
export function checkConsentRecord(channel: unknown, record: ConsentRecord): Checked<ConsentRecord> {
  if (!(CHANNELS as readonly unknown[]).includes(channel)) return { ok: false, message: `channel: one of ${CHANNELS.join(', ')}` };
  if (!(CONSENT_STATES as readonly unknown[]).includes(record.status)) return { ok: false, message: `status: one of ${CONSENT_STATES.join(', ')}` };
  if (record.scope !== 'marketing') return { ok: false, message: 'scope: marketing' };
  if (typeof record.at !== 'string' || !ISO_TIME.test(record.at) || Number.isNaN(Date.parse(record.at))) return { ok: false, message: 'at: an ISO-8601 time' };
  if (!(SOURCES as readonly unknown[]).includes(record.source)) return { ok: false, message: `source: one of ${SOURCES.join(', ')}` };
  const id = (v: unknown, field: string, max: number): Checked<string | undefined> =>
    v === undefined
      ? { ok: true, value: undefined }
      : typeof v === 'string' && v.length > 0 && v.length <= max
        ? { ok: true, value: v }
        : { ok: false, message: `${field}: 1 to ${max} characters` };
  const evidenceMessageId = id(record.evidenceMessageId, 'evidenceMessageId', 320);
  const accountId = id(record.accountId, 'accountId', 64);
  const recordedBy = id(record.recordedBy, 'recordedBy', 200);
  for (const c of [evidenceMessageId, accountId, recordedBy]) if (!c.ok) return c;
  if (record.evidenceText !== undefined && typeof record.evidenceText !== 'string') return { ok: false, message: 'evidenceText: a text' };
  return {
    ok: true,
    value: stripUndefined({
      status: record.status,
      scope: 'marketing' as const,
      at: new Date(Date.parse(record.at)).toISOString(),
      source: record.source,
      evidenceMessageId: evidenceMessageId.ok ? evidenceMessageId.value : undefined,
      // What the customer wrote is the proof; a long one is cut, never refused.
      evidenceText: record.evidenceText?.slice(0, MAX_EVIDENCE_TEXT_CHARS),
      accountId: accountId.ok ? accountId.value : undefined,
      recordedBy: recordedBy.ok ? recordedBy.value : undefined,
    }),
  };
}

/**
 * Whether a decision replaces the one the contact holds on that channel: a later one does; at the
 * same instant an opt-out wins (doubt means no marketing); an older one does not (it is kept in the
 * history only).
 */
export function replacesConsent(contact: Contact, channel: ContactChannel, record: ConsentRecord): boolean {
  const stored = contact.consent[channel];
  if (!stored) return true;
  if (record.at > stored.at) return true;
  if (record.at < stored.at) return false;
  return record.status === 'opted_out' && stored.status !== 'opted_out';
}

/** The sender's view (outbound/send-context.ts ConsentItem): which time attribute a decision moves. */
export function projectionFields(record: ConsentRecord): {
  atField: 'marketingOptInAt' | 'marketingOptOutAt';
  evidenceField: 'marketingOptInEvidence' | 'marketingOptOutEvidence';
  evidence: string;
} {
  const optIn = record.status === 'opted_in';
  return {
    atField: optIn ? 'marketingOptInAt' : 'marketingOptOutAt',
    evidenceField: optIn ? 'marketingOptInEvidence' : 'marketingOptOutEvidence',
    // Where the proof is, never what it says: the projection is read by the sender, which logs.
    evidence: `${record.source}:${record.evidenceMessageId ?? record.recordedBy ?? '-'}`.slice(0, 400),
  };
}

/** A stable short digest of a decision, so a redelivered decision lands on the same history item. */
export function consentDigest(record: ConsentRecord): string {
  return sha256Hex(`${record.status}|${record.source}|${record.evidenceMessageId ?? ''}|${record.recordedBy ?? ''}|${record.accountId ?? ''}`).slice(0, 16);
}
