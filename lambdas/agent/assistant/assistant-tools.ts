import type Anthropic from '@anthropic-ai/sdk';
import type { BusinessToolsAccess } from '#lambdas/agent/assistant/business-tools-source';
import { lookupOrder } from '#lambdas/agent/assistant/order-lookup';
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

/**
 * The tools offered to the model for this conversation: `lookup_order` only when the conversation's
 * business has its own order API configured (a tool not offered cannot be called).
 */
export function assistantTools(access: BusinessToolsAccess | undefined): Anthropic.Tool[] {
  return ASSISTANT_TOOLS.filter((tool) => tool.name !== 'lookup_order' || access?.orderApi !== undefined);
}

export interface ToolContext {
  business: BusinessFlows;
  faqIndex: FaqIndex;
  language: ReplyLanguage;
  /** The conversation's business and customer, with that business's tool settings; no business data tools without it. */
  businessTools?: BusinessToolsAccess;
  orderApiTimeoutMs: number;
  fetch: typeof fetch;
  /** A business's API that failed (wrong key, errors, no answer): for the operators' log, no customer data. */
  onBusinessApiProblem?: (problem: { businessId: string; tool: string; reason: string }) => void;
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
      const access = ctx.businessTools;
      if (!access?.orderApi) return fail('Order look-up is not available; offer a person instead.');
      const found = await lookupOrder(orderId, { ...access, orderApi: access.orderApi }, { fetch: ctx.fetch, timeoutMs: ctx.orderApiTimeoutMs });
      if (found.kind === 'found') return ok(found.order);
      if (found.kind === 'not_found') return ok(`No order ${orderId} was found.`);
      ctx.onBusinessApiProblem?.({ businessId: access.businessId, tool: use.name, reason: found.reason });
      if (found.reason === 'unreachable') return fail('The order system did not answer in time.');
      return fail('The order system gave no usable answer; offer a person instead.');
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
