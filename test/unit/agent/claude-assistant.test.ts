import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { historyMessages } from '#lambdas/agent/assistant/assistant-history';
import { anthropicClient, claudeAssistant, DEFAULT_CLAUDE_SETTINGS, type AgentAssistant } from '#lambdas/agent/assistant/claude-assistant';
import { modelProfile } from '#lambdas/agent/assistant/claude-model-profiles';
import { startAnthropicSimulator, type AnthropicSimulator } from '#lib/local-cloud/anthropic-simulator/index';
import type { MessagesRequest } from '#lib/local-cloud/anthropic-simulator/messages-responder';
import { startSampleOrderApi, type SampleOrderApi } from '#lib/local-cloud/anthropic-simulator/sample-order-api';
import { LOCAL_CUSTOMER_IDS } from '#lib/local-cloud/graph-simulator/accounts';
import { fakeAccounts, fakeBusinessTools, TEST_TOOLS_PREFIX } from '#test/helpers/business-tools';
import { demoBusiness } from './flows/test-flows';

let sim: AnthropicSimulator;
let orders: SampleOrderApi;
let assistant: AgentAssistant;
const business = demoBusiness();
/** The chat's default Instagram customer, who owns order 1002 of the local business. */
const customer = { channel: 'instagram' as const, accountId: '17841', customerId: LOCAL_CUSTOMER_IDS.instagram };
const businessTools = () =>
  fakeBusinessTools({
    accounts: fakeAccounts([{ accountId: '17841', channel: 'instagram', businessId: 'local' }]),
    secrets: { [`${TEST_TOOLS_PREFIX}/local`]: { orderApi: { url: orders.url, apiKey: orders.apiKey } } },
  });

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
  assistant = claudeAssistant(anthropicClient('sk-test', { baseURL: sim.url, timeoutMs: 2000 }), DEFAULT_CLAUDE_SETTINGS, { businessTools: businessTools() });
});

const ask = (text: string, language: 'en' | 'es' | 'pt' = 'es') =>
  assistant.answer({ business, language, history: [{ from: 'customer', text }], conversation: customer });

describe('Claude through the SDK against the Messages API simulator', () => {
  it('searches the FAQ with a tool_use turn and answers from its tool_result, scoped to the business', async () => {
    const answer = await ask('¿Aceptan pagos con tarjeta en cuotas?');

    expect(answer.toolCalls).toEqual(['search_faq']);
    expect(answer.faqIds[0]).toBe('payment_methods');
    expect(answer.text).toContain(business.faq.find((f) => f.id === 'payment_methods')!.answer.es);
    expect(sim.requests).toHaveLength(2);
    const [first, second] = sim.requests;
    expect(first!.model).toBe('claude-haiku-5-5');
    // Claude Haiku 5.5 thinks adaptively at low effort; no manual thinking or sampling settings are sent.
    expect(first).toMatchObject({ max_tokens: 2048, output_config: { effort: 'low' } });
    for (const field of ['thinking', 'temperature', 'top_p', 'top_k', 'tool_choice']) expect(first).not.toHaveProperty(field);
    expect(first!.tools?.map((t) => t.name)).toEqual(['search_faq', 'lookup_order', 'handoff_to_human', 'set_language']);
    expect(JSON.stringify(first!.system)).toContain('Demo Store');
    expect(JSON.stringify(first!.system)).toContain('not a general-purpose assistant');
    expect(second!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(JSON.stringify(second!.messages[2])).toContain('tool_result');
  });

  it("looks the customer's own order up through the business's API", async () => {
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
    await expect(impatient.answer({ business, language: 'es', history: [{ from: 'customer', text: 'hola' }], conversation: customer })).rejects.toBeInstanceOf(
      Anthropic.APIConnectionTimeoutError,
    );
    const wrongKey = claudeAssistant(anthropicClient('sk-wrong', { baseURL: sim.url, timeoutMs: 2000 }), DEFAULT_CLAUDE_SETTINGS);
    await expect(wrongKey.answer({ business, language: 'es', history: [{ from: 'customer', text: 'hola' }], conversation: customer })).rejects.toBeInstanceOf(
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

  it('counts ~30% more tokens for the same text on the newer tokenizer, so the budget holds less history', () => {
    const turns = [
      { from: 'customer' as const, text: 'a'.repeat(400) },
      { from: 'business' as const, text: 'b'.repeat(40) },
      { from: 'customer' as const, text: 'first' },
    ];
    const newer = modelProfile('claude-sonnet-5-5').charsPerToken;
    // Older tokenizer: 100 + 10 + 2 = 112 tokens fit 120. Newer: 130 + 14 + 2 = 146 do not.
    expect(historyMessages(turns, 120, modelProfile('claude-haiku-4-5').charsPerToken)).toHaveLength(3);
    expect(historyMessages(turns, 120, newer)).toEqual([{ role: 'user', content: 'first' }]);
    expect(historyMessages([{ from: 'customer', text: 'x'.repeat(100) }], 5, newer)).toEqual([{ role: 'user', content: 'x'.repeat(15) }]);
  });
});

describe('each current model gets a request it accepts, and its replies are read by block type', () => {
  const conversation = async (model: string) => {
    sim.requests.length = 0;
    const onModel = claudeAssistant(
      anthropicClient('sk-test', { baseURL: sim.url, timeoutMs: 2000 }),
      { ...DEFAULT_CLAUDE_SETTINGS, model },
      { businessTools: businessTools() },
    );
    const answer = await onModel.answer({ business, language: 'en', history: [{ from: 'customer', text: 'where is my order 1002?' }], conversation: customer });
    return { answer, requests: [...sim.requests] };
  };
  const settingsOf = (r: MessagesRequest) => ({ max_tokens: r.max_tokens, thinking: r.thinking, output_config: r.output_config });

  it('Claude Haiku 4.5: no thinking, no effort, 400 output tokens', async () => {
    const { answer, requests } = await conversation('claude-haiku-4-5');
    expect(answer.text).toContain('"status":"shipped"');
    expect(requests.map(settingsOf)).toEqual([
      { max_tokens: 400, thinking: undefined, output_config: undefined },
      { max_tokens: 400, thinking: undefined, output_config: undefined },
    ]);
  });

  it('Claude Sonnet 5.5: between_tools thinking at low effort; the thinking note before the answer is not sent to the customer', async () => {
    const { answer, requests } = await conversation('claude-sonnet-5-5');
    expect(requests.map(settingsOf)).toEqual([
      { max_tokens: 1024, thinking: { type: 'between_tools' }, output_config: { effort: 'low' } },
      { max_tokens: 1024, thinking: { type: 'between_tools' }, output_config: { effort: 'low' } },
    ]);
    expect(answer.text).toMatch(/^Here is what I found: .*"status":"shipped"/);
    for (const r of requests) expect(r).not.toHaveProperty('temperature');
  });

  it('Claude Haiku 5.5: adaptive thinking (the default) at low effort; thinking blocks go back unchanged', async () => {
    const { answer, requests } = await conversation('claude-haiku-5-5');
    expect(requests.map(settingsOf)).toEqual([
      { max_tokens: 2048, thinking: undefined, output_config: { effort: 'low' } },
      { max_tokens: 2048, thinking: undefined, output_config: { effort: 'low' } },
    ]);
    // The tool_use turn opened with a signed thinking block; the simulator refuses altered ones.
    const echoed = requests[1]!.messages[1]!.content;
    expect(Array.isArray(echoed) && echoed.map((b) => b.type)).toEqual(['thinking', 'tool_use']);
    expect(answer.text).toContain('"status":"shipped"');
  });
});

describe('a wrongly configured agent is refused as the API refuses it', () => {
  it('the old default, claude-sonnet-4-5, still answers before 30 November 2026 and gets 404 from that day', async () => {
    const clock = { now: new Date('2026-11-21T12:00:00Z') };
    const dated = await startAnthropicSimulator({ apiKey: 'sk-test', now: () => clock.now });
    try {
      const old = claudeAssistant(anthropicClient('sk-test', { baseURL: dated.url, timeoutMs: 2000 }), {
        ...DEFAULT_CLAUDE_SETTINGS,
        model: 'claude-sonnet-4-5',
      });
      const ask = () => old.answer({ business, language: 'es', history: [{ from: 'customer', text: 'hola, una pregunta' }], conversation: customer });
      await expect(ask()).resolves.toMatchObject({ toolCalls: ['search_faq'] });
      clock.now = new Date('2026-11-30T00:00:00Z');
      const refused = await ask().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(Anthropic.NotFoundError);
      expect((refused as InstanceType<typeof Anthropic.NotFoundError>).error).toEqual({
        type: 'error',
        error: { type: 'not_found_error', message: 'model: claude-sonnet-4-5' },
      });
      // The new default keeps answering after that date.
      const current = claudeAssistant(anthropicClient('sk-test', { baseURL: dated.url, timeoutMs: 2000 }), DEFAULT_CLAUDE_SETTINGS);
      await expect(current.answer({ business, language: 'es', history: [{ from: 'customer', text: 'hola' }], conversation: customer })).resolves.toMatchObject({
        toolCalls: ['search_faq'],
      });
    } finally {
      await dated.close();
    }
  });

  it("a temperature sent to Claude Sonnet 5.5 gets the API's 400 invalid_request_error", async () => {
    const client = new Anthropic({ apiKey: 'sk-test', baseURL: sim.url, maxRetries: 0 });
    // SDK 1.12.0 no longer types `temperature`; a request built without the types still sends it.
    const withTemperature = { model: 'claude-sonnet-5-5', max_tokens: 100, temperature: 0.2, messages: [{ role: 'user' as const, content: 'hola' }] };
    const refused = await client.messages.create(withTemperature).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect((refused as InstanceType<typeof Anthropic.BadRequestError>).message).toContain('`temperature` is deprecated for this model.');
  });
});
