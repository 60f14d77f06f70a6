/**
 * Macros are canned replies with variables (`{first_name}`, `{name}`, `{agent_name}`,
 * `{order_id}`). The console fills them for a preview the agent can still edit before sending.
 */
export const MACRO_VARIABLES = ['first_name', 'name', 'agent_name', 'order_id'] as const;
export type MacroVariable = (typeof MACRO_VARIABLES)[number];

const VARIABLE = /\{([a-z_]{1,40})\}/g;

/** The variables a text uses, each once, in order of appearance. */
export function macroVariables(text: string): string[] {
  const seen: string[] = [];
  for (const m of text.matchAll(VARIABLE)) if (!seen.includes(m[1]!)) seen.push(m[1]!);
  return seen;
}

/** The first word of a customer's profile name ("María José Pérez" → "María"). */
export function firstNameOf(name: string | undefined): string | undefined {
  const first = name?.trim().split(/\s+/u)[0];
  return first ? first : undefined;
}

/**
 * The text with every known variable filled. A variable without a value stays as written, so the
 * agent sees what is left to fill; `missing` names them.
 */
export function fillMacro(text: string, values: Partial<Record<string, string | undefined>>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const filled = text.replace(VARIABLE, (whole, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name]?.trim() : undefined;
    if (value) return value;
    if (!missing.includes(name)) missing.push(name);
    return whole;
  });
  return { text: filled, missing };
}

/** The macro's text in the conversation's language, else the agent's, else any it has. */
export function macroText(texts: Partial<Record<string, string | undefined>>, ...languages: (string | undefined)[]): string | undefined {
  for (const lang of [...languages, 'es', 'pt', 'en']) {
    const text = lang ? texts[lang] : undefined;
    if (typeof text === 'string' && text.trim()) return text;
  }
  return undefined;
}

/** Template parameters as WhatsApp numbers them: `{{1}}`, `{{2}}` … in the body; their count. */
export function templateParameterCount(body: string | undefined, declared?: number): number {
  if (typeof declared === 'number' && Number.isInteger(declared) && declared >= 0 && declared <= 100) return declared;
  const numbers = [...(body ?? '').matchAll(/\{\{(\d{1,3})\}\}/g)].map((m) => Number(m[1]));
  return numbers.length ? Math.max(...numbers) : 0;
}

/** A template body with its numbered parameters filled (empty ones shown as `{{n}}`). */
export function fillTemplate(body: string, parameters: readonly string[]): string {
  return body.replace(/\{\{(\d{1,3})\}\}/g, (whole, n: string) => parameters[Number(n) - 1]?.trim() || whole);
}
