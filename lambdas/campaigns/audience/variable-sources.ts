import type { VariableSource } from '#lambdas/campaigns/campaign-model';
import type { Contact } from '#lambdas/contacts/contact-model';

/**
 * A template variable's value for one contact, from where the campaign says it comes: a fixed
 * text, the contact's name, first name or number, or one of its custom attributes; the fallback
 * when the contact has none. Undefined: no value (the contact is then left off, `invalid_variables`).
 */
export function valueFor(source: VariableSource, contact: Pick<Contact, 'name' | 'phoneE164' | 'attributes'>): string | undefined {
  const orFallback = (value: string | undefined, fallback: string | undefined) => {
    const trimmed = value?.trim();
    if (trimmed) return trimmed;
    return fallback?.trim() ? fallback : undefined;
  };
  switch (source.from) {
    case 'text':
      return source.value;
    case 'contact': {
      if (source.field === 'name') return orFallback(contact.name, source.fallback);
      if (source.field === 'first_name') return orFallback(contact.name?.trim().split(/\s+/)[0], source.fallback);
      return orFallback(contact.phoneE164, source.fallback);
    }
    case 'attribute': {
      const value = Object.hasOwn(contact.attributes, source.key) ? contact.attributes[source.key] : undefined;
      return orFallback(value === undefined ? undefined : String(value), source.fallback);
    }
  }
}
