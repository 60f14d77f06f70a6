import { normalizeWords } from '#lambdas/agent/detect-language';

const phrase = (text: string) => normalizeWords(text).join(' ');

/**
 * Opt-out is a consent decision with legal weight, so only a message that is nothing but the
 * keyword counts ("STOP", "baja.", "Sair!"): "stop sending me the wrong size" is a complaint,
 * not an opt-out.
 */
export function isOptOut(text: string, keywords: readonly string[]): boolean {
  const said = phrase(text);
  return said.length > 0 && keywords.some((k) => phrase(k) === said);
}

/**
 * Asking for a person is matched anywhere in the message, as whole words ("quiero hablar con un
 * asesor", "falar com atendente"); the cost of a false positive is only a person reading along.
 */
export function asksForHuman(text: string, keywords: readonly string[]): boolean {
  const said = ` ${phrase(text)} `;
  return keywords.some((k) => {
    const wanted = phrase(k);
    return wanted.length > 0 && said.includes(` ${wanted} `);
  });
}
