import type { Macro, RoutingLanguage } from '#lambdas/routing/routing-model';

/** Languages tried when the macro has no text in the conversation's own, in this order. */
const FALLBACK: readonly RoutingLanguage[] = ['es', 'en', 'pt'];

export interface MacroValues {
  /** The customer's profile name as the channel gave it. */
  customerName?: string;
  /** The agent's routing name, else the operator's actor. */
  agentName?: string;
  /** Data the bot captured before the handoff (e.g. `order_id`). */
  captured?: Record<string, string>;
}

/** The macro's text in `language` when it has one, else the first of es → en → pt it has. */
export function macroText(macro: Pick<Macro, 'texts'>, language: string | undefined): { language: RoutingLanguage; text: string } {
  const wanted = (language ?? '').slice(0, 2).toLowerCase();
  const order = [...(FALLBACK.includes(wanted as RoutingLanguage) ? [wanted as RoutingLanguage] : []), ...FALLBACK];
  for (const lang of order) {
    const text = macro.texts[lang];
    if (text !== undefined) return { language: lang, text };
  }
  // The schema guarantees one language; an item written otherwise is a programming error.
  throw new Error('macro has no text');
}

const VARIABLE = /\{([a-z_]{1,40})\}/g;

/**
 * Fills `{first_name}`, `{name}`, `{agent_name}` and `{order_id}` (and any other captured value by
 * name). A variable without a value is left out with the space or punctuation around it tidied,
 * so the customer never sees `{first_name}`. Values are inserted once: a name holding `{…}` is not
 * expanded again.
 */
export function fillMacro(text: string, values: MacroValues): string {
  const name = clean(values.customerName);
  const lookup: Record<string, string | undefined> = {
    ...Object.fromEntries(Object.entries(values.captured ?? {}).map(([k, v]) => [k, clean(v)])),
    name,
    first_name: name?.split(/\s+/)[0],
    agent_name: clean(values.agentName),
  };
  let missing = false;
  const filled = text.replace(VARIABLE, (_, variable: string) => {
    const value = lookup[variable];
    if (value) return value;
    missing = true;
    return '\u0000';
  });
  if (!missing) return filled;
  return filled
    .split('\n')
    .map((line) =>
      line
        .replace(/[ \t]*\u0000[ \t]*/g, ' ')
        .replace(/ +([,.!?;:)\]])/g, '$1')
        .replace(/([¡¿([]) +/g, '$1')
        .replace(/,([!?.])/g, '$1')
        .replace(/^[ ,;:]+/, '')
        .replace(/ {2,}/g, ' ')
        .trimEnd(),
    )
    .join('\n')
    .trim();
}

function clean(value: string | undefined): string | undefined {
  const v = value?.replace(/\s+/g, ' ').trim();
  return v ? v.slice(0, 200) : undefined;
}
