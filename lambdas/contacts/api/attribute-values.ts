import { checkAttributeSchema, checkAttributeValue } from '#lambdas/contacts/contact-attributes';
import type { AttributeDefinition, AttributeSchema, AttributeValue } from '#lambdas/contacts/contact-model';

export type AttributeChange = Record<string, AttributeValue | null>;

export type CheckedAttributeChange =
  | { ok: true; set: Record<string, AttributeValue>; remove: string[] }
  /** `forbidden`: keys the caller may not edit (agents: attributes not marked editableByAgents). */
  | { ok: false; problems: string[]; forbidden: string[] };

/**
 * An operator's change of custom attributes, checked against the business's schema: only defined
 * attributes, each value of its definition's type (contact-attributes.ts), `null` to remove; an
 * admin may also clear a value no definition describes any more. Agents may change only the
 * attributes the admin marked `editableByAgents`; `contacts.admin` may change any defined one.
 */
export function checkAttributeChange(change: AttributeChange, schema: Pick<AttributeSchema, 'attributes'>, caller: { admin: boolean }): CheckedAttributeChange {
  const definitions = new Map(schema.attributes.map((d) => [d.key, d]));
  const set: Record<string, AttributeValue> = {};
  const remove: string[] = [];
  const problems: string[] = [];
  const forbidden: string[] = [];
  for (const [key, value] of Object.entries(change)) {
    const definition = definitions.get(key);
    if (!definition) {
      // A value left from a definition since removed: an admin may clear it, nobody may set it.
      if (value === null && caller.admin) remove.push(key);
      else problems.push(`attributes.${key}: not an attribute of this business (an admin defines it first)`);
      continue;
    }
    if (!caller.admin && !definition.editableByAgents) {
      forbidden.push(key);
      continue;
    }
    if (value === null) {
      remove.push(key);
      continue;
    }
    const checked = checkAttributeValue(definition, typeof value === 'string' ? value.trim() : value);
    if (!checked.ok) problems.push(`attributes.${key}: ${checked.message}`);
    else if (checked.value === '') problems.push(`attributes.${key}: not empty (null removes the attribute)`);
    else set[key] = checked.value;
  }
  return problems.length || forbidden.length ? { ok: false, problems, forbidden } : { ok: true, set, remove };
}

/**
 * A schema an admin saves: the store's own checks (contact-attributes.ts: shape, each key once,
 * options for an enum only), and one of the console's: agents cannot be asked to edit what they
 * are not shown.
 */
export function checkSavedSchema(input: {
  attributes: unknown[];
}): { ok: true; value: { attributes: AttributeDefinition[] } } | { ok: false; message: string } {
  const checked = checkAttributeSchema(input);
  if (!checked.ok) return checked;
  const hidden = checked.value.attributes.findIndex((d) => d.editableByAgents && !d.visibleToAgents);
  if (hidden >= 0) return { ok: false, message: `attributes.${hidden}.editableByAgents: agents cannot edit what they are not shown (visibleToAgents)` };
  return checked;
}
