/**
 * What the real Messages API refuses for a given model, so a wrongly configured agent fails here
 * the way it would in production. Sources: platform.claude.com model pages, the model
 * deprecations table and the Claude Sonnet 5.5 / Haiku 5.5 migration guides; the messages follow
 * the API's own wording where it has been published.
 *
 * Ids this file does not recognise as Claude model ids (tests' `claude-test-model`, `m`) are
 * accepted with no model rules, as before.
 */
import { createHash } from 'node:crypto';
import type { ContentBlock, MessagesRequest } from '#lib/local-cloud/anthropic-simulator/messages-responder';

export interface Refusal {
  status: number;
  type: string;
  message: string;
}

/** Claude API retirement dates (UTC): from that day on, requests get 404 `not_found_error`. */
export const MODEL_RETIREMENTS: Readonly<Record<string, string>> = {
  'claude-3-5-haiku-20241022': '2026-02-19',
  'claude-3-7-sonnet-20250219': '2026-02-19',
  'claude-sonnet-4-20250514': '2026-06-15',
  'claude-opus-4-20250514': '2026-06-15',
  'claude-sonnet-4-5': '2026-11-30',
  'claude-sonnet-4-5-20250929': '2026-11-30',
};

interface KnownModel {
  tier: string;
  version: number;
}

function knownModel(model: string): KnownModel | undefined {
  const parts = /^claude-(haiku|sonnet|opus|fable|mythos)-(\d+)(?:-(\d{1,2}))?(?:-\d{8})?$/.exec(model);
  if (!parts) return undefined;
  return { tier: parts[1]!, version: Number(parts[2]) + (parts[3] ? Number(parts[3]) / 10 : 0) };
}

/** The models that think by default (adaptive thinking) and take no manual thinking budget. */
export const thinksByDefault = (model: string): boolean => (knownModel(model)?.version ?? 0) >= 5;

/** Claude Opus 4.7 and later models use the newer tokenizer: ~30% more tokens for the same text. */
export const tokenizerRatio = (model: string): number => ((knownModel(model)?.version ?? 0) >= 4.7 ? 1.3 : 1);

/** The signature the simulator puts on a thinking block: tied to the model and the text, like the API's. */
export const thinkingSignature = (model: string, thinking: string): string =>
  `sim_${createHash('sha256').update(`${model}\n${thinking}`).digest('base64url').slice(0, 24)}`;

const EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'];
const invalid = (message: string): Refusal => ({ status: 400, type: 'invalid_request_error', message });

/** The first reason the API would refuse this request for its model, or `undefined`. */
export function modelRefusal(body: MessagesRequest, now: Date): Refusal | undefined {
  const retiredOn = MODEL_RETIREMENTS[body.model];
  if (retiredOn && now.toISOString().slice(0, 10) >= retiredOn) return { status: 404, type: 'not_found_error', message: `model: ${body.model}` };
  const model = knownModel(body.model);
  if (!model) return undefined;
  return (model.version >= 5 ? adaptiveOnlyRefusal(body, model) : claude4Refusal(body, model)) ?? signatureRefusal(body);
}

/** Claude 5.x: adaptive thinking and effort only (Sonnet 5.5 migration guide, "five settings that return 400 errors"). */
function adaptiveOnlyRefusal(body: MessagesRequest, model: KnownModel): Refusal | undefined {
  for (const name of ['temperature', 'top_p', 'top_k'] as const) {
    if (body[name] !== undefined && body[name] !== null) return invalid(`\`${name}\` is deprecated for this model.`);
  }
  const thinking = body.thinking?.type;
  const sonnet55 = model.tier === 'sonnet' && model.version >= 5.5;
  const lowest = sonnet55 ? 'thinking.type.between_tools' : 'thinking.type.adaptive';
  if (thinking === 'enabled' || (thinking === 'disabled' && model.version >= 5.5)) {
    return invalid(`"thinking.type.${thinking}" is not supported for this model. Use "${lowest}" and "output_config.effort" to control thinking behavior.`);
  }
  if (thinking === 'between_tools' && !sonnet55) return invalid('"thinking.type.between_tools" is not supported for this model.');
  const effort = body.output_config?.effort;
  if (effort !== undefined && effort !== null && !EFFORTS.includes(effort))
    return invalid(`output_config.effort: Input should be ${EFFORTS.map((e) => `'${e}'`).join(', ')}`);
  if (thinking === 'between_tools' && (effort === 'xhigh' || effort === 'max')) {
    return invalid(`output_config.effort '${effort}' is not supported with "thinking.type.between_tools". Use effort 'high' or below.`);
  }
  if (body.messages.at(-1)?.role === 'assistant')
    return invalid('This model does not support assistant message prefill. The conversation must end with a user message.');
  const choice = body.tool_choice?.type;
  if (sonnet55 && (choice === 'any' || choice === 'tool')) {
    return invalid(`tool_choice.type "${choice}" is not supported for this model: forced tool use is not available. Use "auto" or "none".`);
  }
  return undefined;
}

/** Claude 4.x, Haiku 4.5 among them: manual (extended) thinking, no effort before Opus 4.5 / Sonnet 4.6. */
function claude4Refusal(body: MessagesRequest, model: KnownModel): Refusal | undefined {
  if (body.temperature !== undefined && body.top_p !== undefined && model.version >= 4.5) {
    return invalid('`temperature` and `top_p` cannot both be specified for this model. Please use only one.');
  }
  const takesEffort = model.version >= 4.6 || (model.tier === 'opus' && model.version >= 4.5);
  if (body.output_config?.effort !== undefined && !takesEffort) return invalid('output_config.effort: This model does not support the effort parameter.');
  const thinking = body.thinking;
  if (thinking?.type === 'between_tools' || (thinking?.type === 'adaptive' && model.version < 4.6)) {
    return invalid(`"thinking.type.${thinking.type}" is not supported for this model. Use "thinking.type.enabled" with "budget_tokens".`);
  }
  if (thinking?.type === 'enabled') {
    const budget = thinking.budget_tokens ?? 0;
    if (budget < 1024) return invalid('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
    if (budget >= body.max_tokens) return invalid('`max_tokens` must be greater than `thinking.budget_tokens`.');
    const choice = body.tool_choice?.type;
    if (choice === 'any' || choice === 'tool') return invalid('Thinking may not be enabled when tool_choice forces tool use.');
  }
  if (model.version >= 4.6 && body.messages.at(-1)?.role === 'assistant') {
    return invalid('This model does not support assistant message prefill. The conversation must end with a user message.');
  }
  return undefined;
}

/** Thinking blocks must come back unmodified, to the model that wrote them. */
function signatureRefusal(body: MessagesRequest): Refusal | undefined {
  for (const [i, message] of body.messages.entries()) {
    if (message.role !== 'assistant' || typeof message.content === 'string') continue;
    const forged = message.content.find((b: ContentBlock) => b.type === 'thinking' && b.signature !== thinkingSignature(body.model, b.thinking ?? ''));
    if (forged) return invalid(`messages.${i}.content: Invalid \`signature\` in \`thinking\` block`);
  }
  return undefined;
}
