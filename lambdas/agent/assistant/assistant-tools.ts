import type Anthropic from '@anthropic-ai/sdk';
import type { ReplyLanguage } from '#lambdas/agent/detect-language';
import type { BusinessFlows } from '#lambdas/agent/flows/business-flows-schema';
import type { FaqIndex } from '#lambdas/agent/flows/faq-search';

export const ASSISTANT_TOOLS: Anthropic.Tool[] = [
  {
    name: 'search_faq',
    description: "Search the business's FAQ. Use it before answering any question about policies, shipping, returns, payments or hours.",
    input_schema: { type: 'object', properties: { query: { type: 'string', description: 'The question, in any language' } }, required: ['query'] },
  },
  {
    name: 'lookup_order',
    description: 'Look up one order by its number: status, items, delivery estimate.',
    input_schema: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
  },
  {
    name: 'handoff_to_human',
    description: 'Pass the conversation to a person of the business: the customer asks for one, is upset, or you cannot help.',
    input_schema: { type: 'object', properties: { reason: { type: 'string' } }, required: ['reason'] },
  },
  {
    name: 'set_language',
    description: "Record the customer's language when they ask to switch or clearly write in another one.",
    input_schema: { type: 'object', properties: { language: { type: 'string', enum: ['en', 'es', 'pt'] } }, required: ['language'] },
  },
];

export interface ToolContext {
  business: BusinessFlows;
  faqIndex: FaqIndex;
  language: ReplyLanguage;
  /** Base URL of the business's order API (`GET <url>/orders/<id>`); look-ups are off without it. */
  orderApiUrl?: string;
  orderApiTimeoutMs: number;
  fetch: typeof fetch;
}

export type ToolEffect = { handoff: string } | { language: ReplyLanguage } | { faqIds: string[] } | undefined;

export interface ToolOutcome {
  result: Anthropic.ToolResultBlockParam;
  effect: ToolEffect;
}

const MAX_TOOL_RESULT_CHARS = 2000;

/** Runs one tool call. Problems become `is_error` results the model can explain, never exceptions. */
export async function runTool(use: Anthropic.ToolUseBlock, ctx: ToolContext): Promise<ToolOutcome> {
  const input = (use.input ?? {}) as Record<string, unknown>;
  const ok = (content: string, effect?: ToolEffect): ToolOutcome => ({
    result: { type: 'tool_result', tool_use_id: use.id, content: content.slice(0, MAX_TOOL_RESULT_CHARS) },
    effect,
  });
  const fail = (content: string): ToolOutcome => ({ result: { type: 'tool_result', tool_use_id: use.id, content, is_error: true }, effect: undefined });
  switch (use.name) {
    case 'search_faq': {
      const query = typeof input.query === 'string' ? input.query : '';
      const matches = ctx.faqIndex.search(query, 3).filter((m) => m.score >= ctx.business.faqMinScore / 2);
      if (matches.length === 0) return ok('No FAQ entry matches.');
      return ok(matches.map((m) => m.entry.answer[ctx.language]).join('\n'), { faqIds: matches.map((m) => m.entry.id) });
    }
    case 'lookup_order': {
      const orderId = typeof input.order_id === 'string' ? input.order_id.trim() : '';
      if (!/^[A-Za-z0-9-]{1,40}$/.test(orderId)) return fail('The order number is not valid.');
      if (!ctx.orderApiUrl) return fail('Order look-up is not available; offer a person instead.');
      try {
        const res = await ctx.fetch(`${ctx.orderApiUrl.replace(/\/+$/, '')}/orders/${encodeURIComponent(orderId)}`, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(ctx.orderApiTimeoutMs),
        });
        if (res.status === 404) return ok(`No order ${orderId} was found.`);
        if (!res.ok) return fail(`The order system answered ${res.status}.`);
        return ok(await res.text());
      } catch {
        return fail('The order system did not answer in time.');
      }
    }
    case 'handoff_to_human':
      return ok('A person will take over.', { handoff: typeof input.reason === 'string' ? input.reason : 'assistant_decision' });
    case 'set_language': {
      const language = input.language;
      if (language !== 'en' && language !== 'es' && language !== 'pt') return fail('Supported languages: en, es, pt.');
      return ok(`Language set to ${language}.`, { language });
    }
    default:
      return fail(`Unknown tool ${use.name}.`);
  }
}
