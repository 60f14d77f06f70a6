import { sameIdentity, sortedIdentities } from '#lambdas/contacts/contact-identities';
import { CHANNELS, MAX_CONTACT_TAGS, type Contact, type CrmIds } from '#lambdas/contacts/contact-model';

/**
 * Two contacts as one. The survivor wins every conflict (name, language, phone, a tag list that
 * overflows, an attribute or CRM id both hold) except two, where time decides: consent (on each
 * channel the latest decision stands, whoever recorded it) and first touch (the earliest is how
 * the customer really first came). The absorbed contact's identities join the survivor's.
 */
export function mergeContacts(survivor: Contact, absorbed: Contact, at: string): Contact {
  const merged: Contact = structuredClone(survivor);
  merged.identities = sortedIdentities([...survivor.identities, ...absorbed.identities.map((i) => ({ ...i, linkedAt: at, linkedBy: 'merge' as const }))]);
  if (!merged.name && absorbed.name) {
    merged.name = absorbed.name;
    if (absorbed.nameSource) merged.nameSource = absorbed.nameSource;
  }
  merged.phoneE164 ??= absorbed.phoneE164;
  merged.language ??= absorbed.language;
  if (merged.phoneE164 === undefined) delete merged.phoneE164;
  if (merged.language === undefined) delete merged.language;
  for (const channel of CHANNELS) {
    const theirs = absorbed.consent[channel];
    const ours = merged.consent[channel];
    if (theirs && (!ours || theirs.at > ours.at)) merged.consent[channel] = structuredClone(theirs);
  }
  merged.tags = [...survivor.tags, ...absorbed.tags.filter((t) => !survivor.tags.includes(t))].slice(0, MAX_CONTACT_TAGS);
  merged.attributes = { ...structuredClone(absorbed.attributes), ...structuredClone(survivor.attributes) };
  merged.crmIds = mergedCrmIds(survivor.crmIds, absorbed.crmIds);
  if (absorbed.firstTouch && (!survivor.firstTouch || absorbed.firstTouch.at < survivor.firstTouch.at)) {
    merged.firstTouch = structuredClone(absorbed.firstTouch);
  }
  if (absorbed.createdAt < merged.createdAt) merged.createdAt = absorbed.createdAt;
  return merged;
}

/** A Salesforce id and its object type travel together. */
function mergedCrmIds(survivor: CrmIds, absorbed: CrmIds): CrmIds {
  const out: CrmIds = { ...absorbed, ...survivor };
  if (survivor.salesforce) {
    if (survivor.salesforceObject) out.salesforceObject = survivor.salesforceObject;
    else delete out.salesforceObject;
  }
  return out;
}

/**
 * The survivor of an undone merge: what the merge brought from the absorbed contact is taken back,
 * unless it changed since (a later change of the survivor's own is kept); the rest of what it holds
 * now stays.
 */
export function unmergedSurvivor(current: Contact, survivorBefore: Contact, absorbedBefore: Contact): Contact {
  const next: Contact = structuredClone(current);
  const brought = absorbedBefore.identities.filter((i) => !survivorBefore.identities.some((s) => sameIdentity(s, i)));
  next.identities = current.identities.filter((i) => !brought.some((b) => sameIdentity(b, i)));

  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const broughtHere = <T>(now: T, before: T, theirs: T) => !same(now, before) && same(now, theirs);

  if (broughtHere(next.name, survivorBefore.name, absorbedBefore.name)) {
    restore(next, 'name', survivorBefore.name);
    restore(next, 'nameSource', survivorBefore.nameSource);
  }
  if (broughtHere(next.phoneE164, survivorBefore.phoneE164, absorbedBefore.phoneE164)) restore(next, 'phoneE164', survivorBefore.phoneE164);
  if (broughtHere(next.language, survivorBefore.language, absorbedBefore.language)) restore(next, 'language', survivorBefore.language);
  for (const channel of CHANNELS) {
    if (!broughtHere(next.consent[channel], survivorBefore.consent[channel], absorbedBefore.consent[channel])) continue;
    const before = survivorBefore.consent[channel];
    if (before) next.consent[channel] = structuredClone(before);
    else delete next.consent[channel];
  }
  next.tags = next.tags.filter((t) => survivorBefore.tags.includes(t) || !absorbedBefore.tags.includes(t));
  for (const [key, value] of Object.entries(absorbedBefore.attributes)) {
    if (!broughtHere(next.attributes[key], survivorBefore.attributes[key], value)) continue;
    const before = survivorBefore.attributes[key];
    if (before === undefined) delete next.attributes[key];
    else next.attributes[key] = before;
  }
  for (const key of Object.keys(absorbedBefore.crmIds) as Array<keyof CrmIds>) {
    if (!broughtHere(next.crmIds[key], survivorBefore.crmIds[key], absorbedBefore.crmIds[key])) continue;
    const before = survivorBefore.crmIds[key];
    if (before === undefined) delete next.crmIds[key];
    else (next.crmIds as Record<string, unknown>)[key] = before;
  }
  if (broughtHere(next.firstTouch, survivorBefore.firstTouch, absorbedBefore.firstTouch)) restore(next, 'firstTouch', survivorBefore.firstTouch);
  next.createdAt = survivorBefore.createdAt;
  return next;
}

function restore<K extends keyof Contact>(contact: Contact, key: K, value: Contact[K] | undefined): void {
  if (value === undefined) delete contact[key];
  else contact[key] = structuredClone(value);
}
