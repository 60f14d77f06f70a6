/**
 * The simulator's scripted model: deterministic, so tests can say what Claude "decides". It reads
 * the request the way the agent builds it and answers in the Messages API's shape.
 *
 * - After a `tool_result` turn it answers in text built from the tool's output, in the language
 *   the conversation was set to (a `set_language` call) or the system prompt names.
 * - Otherwise it looks at the latest customer text: a person asked for → `handoff_to_human`;
 *   an order number → `lookup_order`; a language switch ("in english please", "em português")
 *   → `set_language`; anything else → `search_faq` with the text as query.
 * - Models that think by default (Claude 5.x) open each reply with a `thinking` block, its text
 *   omitted as the API's default display does; with `thinking: between_tools` only the reply after
 *   a tool result carries one. Callers must pick blocks by type and send them back unchanged.
 */
import { thinkingSignature, thinksByDefault, tokenizerRatio } from '#lib/local-cloud/anthropic-simulator/model-rules';

export interface ContentBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
  thinking?: string;
  signature?: string;
}

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  system?: string | Array<{ type: 'text'; text: string }>;
  messages: Array<{ role: 'user' | 'assistant'; content: string | ContentBlock[] }>;
  tools?: Array<{ name: string; description?: string; input_schema: unknown }>;
  tool_choice?: { type: string; name?: string };
  thinking?: { type: string; budget_tokens?: number; display?: string };
  output_config?: { effort?: string | null };
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
}

export interface MessagesResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: 'end_turn' | 'tool_use';
  stop_sequence: null;
  usage: { input_tokens: number; output_tokens: number };
}

const blocksOf = (content: string | ContentBlock[]): ContentBlock[] => (typeof content === 'string' ? [{ type: 'text', text: content }] : content);

const textOf = (value: unknown): string =>
  typeof value === 'string' ? value : Array.isArray(value) ? value.map((b: ContentBlock) => b.text ?? '').join(' ') : JSON.stringify(value ?? '');

const LEAD: Record<string, string> = { en: 'Here is what I found:', es: 'Esto es lo que encontré:', pt: 'Foi isto que encontrei:' };

export function respond(request: MessagesRequest, id: string): MessagesResponse {
  const hasTool = (name: string) => (request.tools ?? []).some((t) => t.name === name);
  const last = request.messages.at(-1);
  const lastBlocks = last ? blocksOf(last.content) : [];
  const results = lastBlocks.filter((b) => b.type === 'tool_result');
  const ratio = tokenizerRatio(request.model);
  const tokens = Math.ceil((JSON.stringify(request).length / 4) * ratio);
  const thinks = thinksByDefault(request.model) && (request.thinking?.type !== 'between_tools' || results.length > 0);
  const thinking: ContentBlock[] = thinks ? [{ type: 'thinking', thinking: '', signature: thinkingSignature(request.model, '') }] : [];
  const reply = (answer: ContentBlock[], stop: 'end_turn' | 'tool_use'): MessagesResponse => {
    const content = [...thinking, ...answer];
    return {
      id,
      type: 'message',
      role: 'assistant',
      model: request.model,
      content,
      stop_reason: stop,
      stop_sequence: null,
      usage: { input_tokens: tokens, output_tokens: Math.ceil((JSON.stringify(content).length / 4) * ratio) },
    };
  };

  if (results.length > 0) {
    const language = chosenLanguage(request) ?? systemLanguage(request) ?? 'en';
    const body = results.map((r) => textOf(r.content)).join(' ');
    return reply([{ type: 'text', text: `${LEAD[language] ?? LEAD.en} ${body}` }], 'end_turn');
  }

  const said = lastBlocks
    .filter((b) => b.type === 'text')
    .map((b) => b.text ?? '')
    .join(' ');
  const lower = said.toLowerCase();
  const call = (name: string, input: unknown) => reply([{ type: 'tool_use', id: `toolu_${id}_${name}`, name, input }], 'tool_use');

  if (hasTool('handoff_to_human') && /\b(manager|gerente|supervisor|complain|reclama)/.test(lower)) {
    return call('handoff_to_human', { reason: 'customer wants a supervisor' });
  }
  const system = systemText(request);
  if (/not a general-purpose assistant/i.test(system) && OFF_TOPIC.test(said)) {
    const language = chosenLanguage(request) ?? systemLanguage(request) ?? 'en';
    return reply([{ type: 'text', text: DECLINE[language] ?? DECLINE.en! }], 'end_turn');
  }
  const order = /\b(?:order|pedido|encomenda)\D{0,12}(\d{3,})/i.exec(said);
  if (hasTool('lookup_order') && order?.[1]) return call('lookup_order', { order_id: order[1] });
  // The prompt names an order number the customer gave earlier: a question about "my order" uses it.
  const captured = /already gave the order number (\S+?):/i.exec(system)?.[1];
  if (hasTool('lookup_order') && captured && /\b(order|pedido|encomenda|compr\w*)\b/i.test(said)) return call('lookup_order', { order_id: captured });
  const switchTo = /\b(in english|en español|em português|em portugues)\b/.exec(lower)?.[1];
  if (hasTool('set_language') && switchTo) {
    return call('set_language', { language: switchTo.includes('english') ? 'en' : switchTo.includes('español') ? 'es' : 'pt' });
  }
  if (hasTool('search_faq')) return call('search_faq', { query: said });
  return reply([{ type: 'text', text: said ? `You said: ${said}` : 'Hello!' }], 'end_turn');
}

/** The language a `set_language` call earlier in this exchange chose. */
function chosenLanguage(request: MessagesRequest): string | undefined {
  for (const message of [...request.messages].reverse()) {
    for (const block of blocksOf(message.content)) {
      if (block.type === 'tool_use' && block.name === 'set_language') return (block.input as { language?: string }).language;
    }
  }
  return undefined;
}

function systemLanguage(request: MessagesRequest): string | undefined {
  const system = typeof request.system === 'string' ? request.system : (request.system ?? []).map((b) => b.text).join(' ');
  return /customer's language: (?:\w+ \()?(en|es|pt)\b/i.exec(system)?.[1];
}

function systemText(request: MessagesRequest): string {
  return typeof request.system === 'string' ? request.system : (request.system ?? []).map((b) => b.text).join(' ');
}

/**
 * Requests a business's support assistant has no business answering: general knowledge, writing,
 * code, homework. The simulator declines them only when the system prompt tells it to, the way an
 * instruction-following model would, so a prompt that loses the rule fails the tests.
 */
const OFF_TOPIC =
  /\b(poem|poema|essay|ensayo|redação|redacao|homework|tarea|lição de casa|code|código|codigo|python|javascript|capital of|capital de|recipe|receta|receita|translate|traduce|traduz|who won|quién ganó|quem ganhou)\b/i;
const DECLINE: Record<string, string> = {
  en: 'Sorry, I can only help with questions about our store, orders and deliveries.',
  es: 'Lo siento, solo puedo ayudarte con preguntas sobre nuestra tienda, pedidos y envíos.',
  pt: 'Desculpe, só posso ajudar com dúvidas sobre a nossa loja, pedidos e entregas.',
};
