/**
 * The contact panel's and the attribute schema editor's logic, apart from their markup: identities
 * grouped by channel, what a form field's text means for an attribute of a given type, and the
 * schema's rows as an admin edits them.
 */
import type { AttributeView, ContactSummary, ContactView, IdentityView, MergeView } from '../../../lambdas/contacts/api/contact-views.ts';
import type { AttributeDefinition, Attribution, ConsentRecord, ContactChannel, IdentityKind } from '../../../lambdas/contacts/contact-model.ts';

export type { AttributeView, ContactSummary, ContactView, IdentityView, MergeView, AttributeDefinition, ConsentRecord, ContactChannel, IdentityKind };

export const CONTACT_CHANNELS = ['whatsapp', 'instagram', 'messenger'] as const satisfies readonly ContactChannel[];
export const IDENTITY_KIND_ORDER = ['whatsapp', 'whatsapp_bsuid', 'phone', 'instagram', 'messenger'] as const satisfies readonly IdentityKind[];
export const ATTRIBUTE_TYPE_ORDER = ['string', 'number', 'boolean', 'date', 'enum'] as const;

/** A short mark per channel, shown beside its name (never instead of it). */
export const CHANNEL_MARKS: Record<ContactChannel | 'phone', string> = { whatsapp: 'WA', instagram: 'IG', messenger: 'FB', phone: '☎' };

/** Identities by channel (WhatsApp, Instagram, Messenger, then phones), each group in link order. */
export function identitiesByChannel(identities: readonly IdentityView[]): Array<{ channel: ContactChannel | 'phone'; identities: IdentityView[] }> {
  const order: Array<ContactChannel | 'phone'> = ['whatsapp', 'instagram', 'messenger', 'phone'];
  return order.map((channel) => ({ channel, identities: identities.filter((i) => i.channel === channel) })).filter((g) => g.identities.length > 0);
}

/** The channels a consent decision can be recorded on: those the contact has an identity of. */
export function consentChannels(contact: Pick<ContactView, 'identities'>): ContactChannel[] {
  return CONTACT_CHANNELS.filter((c) => contact.identities.some((i) => i.kind === c));
}

/** Whether an identity kind is scoped to one channel account (and so needs its id). */
export const kindNeedsAccount = (kind: string): boolean => kind === 'instagram' || kind === 'messenger';
/** Whether an identity kind may name the account it was seen on. */
export const kindTakesAccount = (kind: string): boolean => kind !== 'phone' && kind !== 'whatsapp_bsuid';

/**
 * What a form field holds for an attribute: `null` to clear it, the typed value, or `invalid`
 * (the API checks again; this only saves a round trip).
 */
export function attributeFromInput(
  attribute: Pick<AttributeView, 'type' | 'options'>,
  input: string | boolean,
): { value: string | number | boolean | null } | { invalid: true } {
  if (attribute.type === 'boolean') return typeof input === 'boolean' ? { value: input } : input === '' ? { value: null } : { value: input === 'true' };
  const text = String(input).trim();
  if (text === '') return { value: null };
  switch (attribute.type) {
    case 'number': {
      const n = Number(text.replace(',', '.'));
      return Number.isFinite(n) ? { value: n } : { invalid: true };
    }
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(text) ? { value: text } : { invalid: true };
    case 'enum':
      return (attribute.options ?? []).includes(text) ? { value: text } : { invalid: true };
    default:
      return text.length <= 500 ? { value: text } : { invalid: true };
  }
}

/** The field text of an attribute's value (a date field takes YYYY-MM-DD). */
export function attributeInputText(attribute: Pick<AttributeView, 'type' | 'value'>): string {
  if (attribute.value === undefined) return '';
  if (attribute.type === 'date' && typeof attribute.value === 'string') return attribute.value.slice(0, 10);
  return String(attribute.value);
}

/** Only what changed, from the values the form started with: the API gets the smallest change. */
export function changedAttributes(
  attributes: readonly AttributeView[],
  edited: Record<string, string | boolean>,
): { change: Record<string, string | number | boolean | null>; invalid: string[] } {
  const change: Record<string, string | number | boolean | null> = {};
  const invalid: string[] = [];
  for (const a of attributes) {
    if (!a.editable || !(a.key in edited)) continue;
    const parsed = attributeFromInput(a, edited[a.key]!);
    if ('invalid' in parsed) {
      invalid.push(a.key);
      continue;
    }
    const before = a.value === undefined ? null : a.value;
    if (parsed.value !== before) change[a.key] = parsed.value;
  }
  return { change, invalid };
}

/** The first-touch facts worth showing, in order, as [text key, value] (empty ones left out). */
export function firstTouchFacts(touch: Attribution | undefined): Array<[string, string]> {
  if (!touch) return [];
  const utm = touch.utm
    ? Object.entries(touch.utm)
        .filter(([, v]) => typeof v === 'string' && v)
        .map(([k, v]) => `${k}=${v}`)
        .join(' · ')
    : '';
  const facts: Array<[string, string | undefined]> = [
    ['contacts.touch.source', touch.source],
    ['contacts.touch.channel', touch.channel],
    ['contacts.touch.headline', touch.headline],
    ['contacts.touch.adId', touch.adId],
    ['contacts.touch.ctwaClid', touch.ctwaClid],
    ['contacts.touch.ref', touch.ref],
    ['contacts.touch.sourceUrl', touch.sourceUrl],
    ['contacts.touch.utm', utm],
  ];
  return facts.filter((f): f is [string, string] => typeof f[1] === 'string' && f[1].length > 0).map(([k, v]) => [k, v.slice(0, 300)]);
}

export const CRM_KEYS = ['hubspot', 'salesforce', 'zendesk', 'external'] as const;

/** A row of the schema editor: options as the text the admin types. */
export interface SchemaRow {
  key: string;
  label: string;
  type: AttributeDefinition['type'];
  options: string;
  visibleToAgents: boolean;
  editableByAgents: boolean;
}

export function schemaRows(definitions: readonly AttributeDefinition[] | undefined): SchemaRow[] {
  return (definitions ?? []).map((d) => ({
    key: d.key,
    label: d.label,
    type: d.type,
    options: (d.options ?? []).join(', '),
    visibleToAgents: d.visibleToAgents !== false,
    editableByAgents: d.editableByAgents === true,
  }));
}

/** The rows as the API takes them: options only for an enum; an agent cannot edit what it cannot see. */
export function definitionsOf(rows: readonly SchemaRow[]): AttributeDefinition[] {
  return rows.map((r) => {
    const options = r.options
      .split(',')
      .map((o) => o.trim())
      .filter((o, i, all) => o && all.indexOf(o) === i);
    return {
      key: r.key.trim(),
      label: r.label.trim(),
      type: r.type,
      ...(r.type === 'enum' ? { options } : {}),
      visibleToAgents: r.visibleToAgents,
      editableByAgents: r.visibleToAgents && r.editableByAgents,
    };
  });
}

/** Problems the editor shows before saving, as [row index, text key]. */
export function schemaRowProblems(rows: readonly SchemaRow[]): Array<[number, string]> {
  const problems: Array<[number, string]> = [];
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    const key = r.key.trim();
    if (!/^[a-z][a-z0-9_]{0,39}$/.test(key)) problems.push([i, 'contacts.schema.badKey']);
    else if (seen.has(key)) problems.push([i, 'contacts.schema.duplicateKey']);
    seen.add(key);
    if (!r.label.trim()) problems.push([i, 'contacts.schema.noLabel']);
    if (r.type === 'enum' && !r.options.split(',').some((o) => o.trim())) problems.push([i, 'contacts.schema.noOptions']);
  });
  return problems;
}

/** A conversation key typed into the merge search ("wa:…", "ig:…", "fb:…"). */
export const looksLikeConversationKey = (text: string): boolean => /^(wa|ig|fb):[^:\s]+:[^\s]+$/.test(text.trim());
