import type Anthropic from '@anthropic-ai/sdk';

/** One line of the conversation as the assistant sees it. */
export interface HistoryTurn {
  from: 'customer' | 'business';
  text: string;
}

/**
 * A rough count from the model's characters per token (4 on the older tokenizer, about 3.1 on
 * the one Claude 4.7 and later models use): enough to keep a prompt inside a budget.
 */
export const estimateTokens = (text: string, charsPerToken = 4): number => Math.ceil(text.length / charsPerToken);

/**
 * The newest turns that fit `tokenBudget` (tokens of the model's own tokenizer), as Messages API
 * turns: roles alternate (consecutive lines of one side are joined), the first turn is the
 * customer's, and the customer's latest turn is always kept, cut to the budget if it alone
 * exceeds it.
 */
export function historyMessages(turns: readonly HistoryTurn[], tokenBudget: number, charsPerToken = 4): Anthropic.MessageParam[] {
  const merged: Array<{ role: 'user' | 'assistant'; text: string }> = [];
  for (const turn of turns) {
    const text = turn.text.trim();
    if (!text) continue;
    const role = turn.from === 'customer' ? 'user' : 'assistant';
    const previous = merged.at(-1);
    if (previous?.role === role) previous.text = `${previous.text}\n${text}`;
    else merged.push({ role, text });
  }
  while (merged.at(-1)?.role === 'assistant') merged.pop();
  const kept: typeof merged = [];
  let used = 0;
  for (let i = merged.length - 1; i >= 0; i--) {
    const turn = merged[i]!;
    const cost = estimateTokens(turn.text, charsPerToken);
    if (kept.length > 0 && used + cost > tokenBudget) break;
    kept.unshift(kept.length === 0 && cost > tokenBudget ? { ...turn, text: turn.text.slice(-Math.floor(tokenBudget * charsPerToken)) } : turn);
    used += cost;
  }
  while (kept[0]?.role === 'assistant') kept.shift();
  return kept.map((t) => ({ role: t.role, content: t.text }));
}
