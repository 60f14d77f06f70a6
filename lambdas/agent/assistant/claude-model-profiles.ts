import type Anthropic from '@anthropic-ai/sdk';

/** The request fields that differ by model; every other field is the same for all of them. */
export type ModelRequestOptions = Pick<Anthropic.MessageCreateParamsNonStreaming, 'thinking' | 'output_config'>;

/** What the assistant must know about a model to send it a request it accepts. */
export interface ClaudeModelProfile {
  /** Characters per token of the model's tokenizer, for the history budget. */
  charsPerToken: number;
  /** Output room for one request; thinking counts toward `max_tokens` on the models that think. */
  maxTokens: number;
  /** Thinking and effort settings, only on the models that take them (others answer 400). */
  requestOptions: ModelRequestOptions;
}

/** The Claude 4.5 generation and earlier tokenizer: about 4 characters of prose per token. */
const OLDER_TOKENIZER_CHARS_PER_TOKEN = 4;
/** Claude Opus 4.7 and every later model count the same text as about 30% more tokens. */
const NEWER_TOKENIZER_RATIO = 1.3;

/** At most three short sentences: roughly 150 tokens on the older tokenizer, with headroom. */
const ANSWER_TOKENS = 400;

interface ModelVersion {
  tier: string;
  /** 4.5 for `claude-haiku-4-5`, 5 for `claude-sonnet-5`, 5.5 for `claude-sonnet-5-5`. */
  version: number;
}

/**
 * Reads `claude-<tier>-<major>[-<minor>][-<yyyymmdd>]`. Any other id (a test double, a proxy's own
 * name) is `undefined` and gets the plain request every model accepts.
 */
export function parseModelId(model: string): ModelVersion | undefined {
  const match = /^claude-([a-z]+)-(\d+)(?:-(\d{1,2}))?(?:-\d{8})?$/.exec(model);
  if (!match) return undefined;
  const [, tier, major, minor] = match;
  return { tier: tier!, version: Number(major) + (minor ? Number(minor) / 10 : 0) };
}

/**
 * The request settings each model generation needs (platform.claude.com model pages and the
 * Claude Sonnet 5.5 migration guide):
 * - Claude 4.x (Haiku 4.5 among them): no `thinking` and no `output_config`. Haiku 4.5 has no
 *   effort setting and no adaptive thinking, and without `thinking` it answers straight away.
 * - Claude 5.x: adaptive thinking is on by default and manual thinking, `temperature`/`top_p`/
 *   `top_k`, assistant prefill and (Sonnet 5.5) forced tool choice are refused with 400, so none
 *   of them is sent. `effort: low` keeps a short support answer fast and cheap.
 * - Sonnet 5.5 also takes `thinking: between_tools`: no thinking before the first tool call,
 *   only short notes between calls — the lowest setting it has (`disabled` is refused), and it
 *   may not be combined with `xhigh` or `max` effort.
 * Thinking output counts toward `max_tokens`, and the newer tokenizer needs ~30% more tokens
 * for the same answer, hence the larger `maxTokens` there (a cap, not a cost).
 */
export function modelProfile(model: string): ClaudeModelProfile {
  const parsed = parseModelId(model);
  const newerTokenizer = parsed !== undefined && parsed.version >= 4.7;
  const charsPerToken = newerTokenizer ? OLDER_TOKENIZER_CHARS_PER_TOKEN / NEWER_TOKENIZER_RATIO : OLDER_TOKENIZER_CHARS_PER_TOKEN;
  if (!parsed || parsed.version < 5) return { charsPerToken, maxTokens: newerTokenizer ? 600 : ANSWER_TOKENS, requestOptions: {} };
  if (parsed.tier === 'sonnet' && parsed.version >= 5.5) {
    return { charsPerToken, maxTokens: 1024, requestOptions: { thinking: { type: 'between_tools' }, output_config: { effort: 'low' } } };
  }
  return { charsPerToken, maxTokens: 2048, requestOptions: { output_config: { effort: 'low' } } };
}
