import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { historyMessages } from '#lambdas/agent/assistant/assistant-history';
import { anthropicClient, claudeAssistant, DEFAULT_CLAUDE_SETTINGS, type AgentAssistant } from '#lambdas/agent/assistant/claude-assistant';
import { startAnthropicSimulator, type AnthropicSimulator } from '#lib/local-cloud/anthropic-simulator/index';
import { startSampleOrderApi } from '#lib/local-cloud/anthropic-simulator/sample-order-api';
import { demoBusiness } from './flows/test-flows';

let sim: AnthropicSimulator;
let orders: { url: string; close(): Promise<void> };
let assistant: AgentAssistant;
const business = demoBusiness();

beforeAll(async () => {
  sim = await startAnthropicSimulator({ apiKey: 'sk-test' });
  orders = await startSampleOrderApi();
});
afterAll(async () => {
  await sim?.close();
  await orders?.close();
});
beforeEach(() => {
  sim.requests.length = 0;
  assistant = claudeAssistant(anthropicClient('sk-test', { baseURL: sim.url, timeoutMs: 2000 }), {
    ...DEFAULT_CLAUDE_SETTINGS,
    model: 'claude-test-model',
    orderApiUrl: orders.url,
  });
});

const ask = (text: string, language: 'en' | 'es' | 'pt' = 'es') =>
  assistant.answer({ business, language, history: [{ from: 'customer', text }] });

describe('Claude through the SDK against the Messages API simulator', () => {
  it('searches the FAQ with a tool_use turn and answers from its tool_result, scoped to the business', async () => {
    const answer = await ask('¿Aceptan pagos con tarjeta en cuotas?');

    expect(answer.toolCalls).toEqual(['search_faq']);
    expect(answer.faqIds[0]).toBe('payment_methods');
    expect(answer.text).toContain(business.faq.find((f) => f.id === 'payment_methods')!.answer.es);
    expect(sim.requests).toHaveLength(2);
    const [first, second] = sim.requests;
    expect(first!.model).toBe('claude-test-model');
    expect(first!.tools?.map((t) => t.name)).toEqual(['search_faq', 'lookup_order', 'handoff_to_human', 'set_language']);
    expect(JSON.stringify(first!.system)).toContain('Demo Store');
    expect(JSON.stringify(first!.system)).toContain('not a general-purpose assistant');
    expect(second!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(JSON.stringify(second!.messages[2])).toContain('tool_result');
  });

  it('looks an order up through the business API', async () => {
    const answer = await ask('where is my order 1002?', 'en');
    expect(answer.toolCalls).toEqual(['lookup_order']);
    expect(answer.text).toContain('"status":"shipped"');
    const missing = await ask('where is my order 9999?', 'en');
    expect(missing.text).toContain('No order 9999 was found');
  });

  it('hands off when the model calls handoff_to_human', async () => {
    const answer = await ask('quiero hablar con el gerente, esto es una vergüenza');
    expect(answer.handoff).toEqual({ reason: 'customer wants a supervisor' });
    expect(answer.text).toBeUndefined();
  });

  it('switches language when the model calls set_language', async () => {
    const answer = await ask('can you answer in english please?', 'es');
    expect(answer.language).toBe('en');
    expect(answer.text).toMatch(/^Here is what I found:/);
  });

  it('surfaces API errors and timeouts to the caller (which falls back to flows)', async () => {
    sim.injectFault({ kind: 'status', status: 529, type: 'overloaded_error' });
    await expect(ask('hola, una pregunta')).rejects.toBeInstanceOf(Anthropic.APIError);
    sim.injectFault({ kind: 'delay', ms: 1500 });
    const impatient = claudeAssistant(anthropicClient('sk-test', { baseURL: sim.url, timeoutMs: 200 }), DEFAULT_CLAUDE_SETTINGS);
    await expect(impatient.answer({ business, language: 'es', history: [{ from: 'customer', text: 'hola' }] })).rejects.toBeInstanceOf(
      Anthropic.APIConnectionTimeoutError,
    );
    const wrongKey = claudeAssistant(anthropicClient('sk-wrong', { baseURL: sim.url, timeoutMs: 2000 }), DEFAULT_CLAUDE_SETTINGS);
    await expect(wrongKey.answer({ business, language: 'es', history: [{ from: 'customer', text: 'hola' }] })).rejects.toBeInstanceOf(
      Anthropic.AuthenticationError,
    );
  });

  it('refuses, like the API, a tool_use left without its tool_result', async () => {
    const client = new Anthropic({ apiKey: 'sk-test', baseURL: sim.url, maxRetries: 0 });
    await expect(
      client.messages.create({
        model: 'm',
        max_tokens: 10,
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'search_faq', input: {} }] },
          { role: 'user', content: 'hello?' },
        ],
      }),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });
});

describe('historyMessages', () => {
  it('alternates roles, starts with the customer and keeps the newest turns within the budget', () => {
    const turns = [
      { from: 'business' as const, text: 'Welcome!' },
      { from: 'customer' as const, text: 'a'.repeat(400) },
      { from: 'business' as const, text: 'b'.repeat(40) },
      { from: 'customer' as const, text: 'first' },
      { from: 'customer' as const, text: 'second' },
    ];
    expect(historyMessages(turns, 1000)).toEqual([
      { role: 'user', content: 'a'.repeat(400) },
      { role: 'assistant', content: 'b'.repeat(40) },
      { role: 'user', content: 'first\nsecond' },
    ]);
    // 50 tokens: the 400-character turn no longer fits, and the history may not open with the business.
    expect(historyMessages(turns, 50)).toEqual([{ role: 'user', content: 'first\nsecond' }]);
    expect(historyMessages([{ from: 'customer', text: 'x'.repeat(100) }], 5)).toEqual([{ role: 'user', content: 'x'.repeat(20) }]);
  });
});
