import type Anthropic from '@anthropic-ai/sdk';
import { AnthropicMessagesClient } from '#lambdas/adapters/anthropic-messages-client';
import { historyMessages, type HistoryTurn } from '#lambdas/agent/assistant/assistant-history';
import { assistantTools, runTool, type ToolContext } from '#lambdas/agent/assistant/assistant-tools';
import type { BusinessToolsSource, ConversationCustomer } from '#lambdas/agent/assistant/business-tools-source';
import { modelProfile } from '#lambdas/agent/assistant/claude-model-profiles';
import type { ReplyLanguage } from '#lambdas/agent/detect-language';
import type { BusinessFlows } from '#lambdas/agent/flows/business-flows-schema';
import { FaqIndex } from '#lambdas/agent/flows/faq-search';
import { AssistantGaveNoAnswerError } from '#lambdas/agent/errors';

export interface AssistantRequest {
  business: BusinessFlows;
  language: ReplyLanguage;
  /** Oldest first; ends with the customer's unanswered messages. */
  history: HistoryTurn[];
  /** From the stored conversation: the business's tools act for this customer only. */
  conversation: ConversationCustomer;
  /** What the customer already gave in this conversation (an order number): the model must not ask again. */
  captured?: { orderId?: string };
}

export interface AssistantAnswer {
  text?: string;
  language: ReplyLanguage;
  handoff?: { reason: string };
  faqIds: string[];
  toolCalls: string[];
}

/** What the agent needs of a generative assistant; tests and the offline mode swap it. */
export interface AgentAssistant {
  answer(request: AssistantRequest): Promise<AssistantAnswer>;
}

export interface ClaudeSettings {
  model: string;
  /** Overrides the model's own output room (`modelProfile`); leave unset unless measured. */
  maxTokens?: number;
  /** In tokens of the model's tokenizer; the estimate follows the model (see `modelProfile`). */
  historyTokenBudget: number;
  maxToolRounds: number;
  orderApiTimeoutMs: number;
}

/**
 * The default model is Claude Haiku 5.5, Anthropic's fastest and cheapest current model ($0.10 /
 * $0.50 per million input/output tokens for prompts under 100,000 tokens: a tenth of Haiku 4.5 and
 * a twentieth of Sonnet 5.5), made for high-volume, latency-sensitive work such as customer
 * support. The agent's work — short answers grounded in the FAQ and order tools — needs no long
 * reasoning, so it runs at `effort: low`. Sonnet 5.5 (`claude-sonnet-5-5`) is the choice when
 * answers need more judgement; `ANTHROPIC_MODEL` (stack prop `anthropicModel`) switches without
 * code, and `modelProfile` sends each model the settings it accepts.
 */
export const DEFAULT_CLAUDE_SETTINGS: ClaudeSettings = {
  model: 'claude-haiku-5-5',
  historyTokenBudget: 2000,
  maxToolRounds: 4,
  orderApiTimeoutMs: 3000,
};

/**
 * Scoped to the one business: Meta's WhatsApp policy forbids general-purpose assistants, and a
 * narrow prompt is also what keeps answers grounded in the FAQ and the order system.
 */
export function systemPrompt(
  business: BusinessFlows,
  language: ReplyLanguage,
  options: { orderLookup: boolean; captured?: { orderId?: string } } = { orderLookup: false },
): string {
  const languageName = LANGUAGE_NAMES[language];
  return [
    `You are the customer support assistant of ${business.name}, answering customers on WhatsApp, Instagram and Messenger.`,
    `Scope: ${business.useCase}`,
    "Only help with questions about this business. Politely decline anything else (general knowledge, homework, code, other companies, opinions): you are not a general-purpose assistant. Decline in one short sentence, in the customer's language, and say what you can help with.",
    `Customer's language: ${languageName} (${language}). Always answer in ${languageName}, declines included, unless the customer clearly switches language (then call set_language).`,
    ...(options.captured?.orderId
      ? [`The customer already gave the order number ${sanitizeCaptured(options.captured.orderId)}: use it, do not ask for it again.`]
      : []),
    'Keep answers short (at most three sentences), plain text, no markdown.',
    options.orderLookup
      ? 'Use search_faq before stating any policy, and lookup_order for a specific order. Never invent policies, prices or order details.'
      : 'Use search_faq before stating any policy. You cannot look orders up: for a specific order, offer a person. Never invent policies, prices or order details.',
    'Call handoff_to_human when the customer asks for a person, is upset, or you cannot help.',
  ].join('\n');
}

const LANGUAGE_NAMES: Record<ReplyLanguage, string> = { es: 'Spanish', pt: 'Portuguese', en: 'English' };

/** A captured value comes from a customer's message: only the characters an order number has reach the prompt. */
function sanitizeCaptured(value: string): string {
  return value.replace(/[^A-Za-z0-9#_-]/g, '').slice(0, 40);
}

export interface ClaudeAssistantDeps {
  /** Each conversation's business tools (its own order API); without it no business data is looked up. */
  businessTools?: BusinessToolsSource;
  fetch?: typeof fetch;
  onBusinessApiProblem?: ToolContext['onBusinessApiProblem'];
}

/** Claude through the official SDK, with the business's tools. */
export function claudeAssistant(client: Pick<Anthropic, 'messages'>, settings: ClaudeSettings, deps: ClaudeAssistantDeps = {}): AgentAssistant {
  const fetchImpl = deps.fetch ?? fetch;
  return {
    async answer(request) {
      const faqIndex = new FaqIndex(request.business.faq);
      // Failing to read the business's settings fails the answer (the flows answer instead).
      const businessTools = await deps.businessTools?.forConversation(request.conversation);
      const tools = assistantTools(businessTools);
      let language = request.language;
      const faqIds: string[] = [];
      const toolCalls: string[] = [];
      const profile = modelProfile(settings.model);
      const messages: Anthropic.MessageParam[] = historyMessages(request.history, settings.historyTokenBudget, profile.charsPerToken);
      // One system prompt for the whole exchange: models that think tie their thinking blocks to
      // the conversation they came from, so earlier parts must not change between tool rounds. A
      // language switch reaches the model through the set_language tool result instead.
      const system = systemPrompt(request.business, language, {
        orderLookup: tools.some((t) => t.name === 'lookup_order'),
        ...(request.captured ? { captured: request.captured } : {}),
      });
      for (let round = 0; round <= settings.maxToolRounds; round++) {
        const response = await client.messages.create({
          model: settings.model,
          max_tokens: settings.maxTokens ?? profile.maxTokens,
          system,
          messages,
          tools,
          ...profile.requestOptions,
        });
        const uses = response.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
        if (response.stop_reason !== 'tool_use' || uses.length === 0) {
          const text = response.content
            .filter((b): b is Anthropic.TextBlock => b.type === 'text')
            .map((b) => b.text)
            .join('\n')
            .trim();
          return { ...(text ? { text } : {}), language, faqIds, toolCalls };
        }
        messages.push({ role: 'assistant', content: response.content });
        const ctx: ToolContext = {
          business: request.business,
          faqIndex,
          language,
          ...(businessTools ? { businessTools } : {}),
          ...(deps.onBusinessApiProblem ? { onBusinessApiProblem: deps.onBusinessApiProblem } : {}),
          orderApiTimeoutMs: settings.orderApiTimeoutMs,
          fetch: fetchImpl,
        };
        const results: Anthropic.ToolResultBlockParam[] = [];
        for (const use of uses) {
          toolCalls.push(use.name);
          const { result, effect } = await runTool(use, ctx);
          results.push(result);
          if (effect && 'handoff' in effect) return { language, handoff: { reason: effect.handoff }, faqIds, toolCalls };
          if (effect && 'language' in effect) language = effect.language;
          if (effect && 'faqIds' in effect) faqIds.push(...effect.faqIds);
        }
        messages.push({ role: 'user', content: results });
      }
      throw new AssistantGaveNoAnswerError(`no answer after ${settings.maxToolRounds} tool rounds`);
    },
  };
}

/**
 * The SDK client: no SDK retries (a slow model must not hold the customer past the agent's own
 * timeout; the flows answer instead), base URL from the argument or `ANTHROPIC_BASE_URL`.
 */
export function anthropicClient(apiKey: string, options: { baseURL?: string; timeoutMs: number }): AnthropicMessagesClient {
  return new AnthropicMessagesClient({ apiKey, ...(options.baseURL ? { baseURL: options.baseURL } : {}), timeout: options.timeoutMs, maxRetries: 0 });
}
