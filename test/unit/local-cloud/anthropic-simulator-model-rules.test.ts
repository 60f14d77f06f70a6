import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicSimulator, type AnthropicSimulator } from '#lib/local-cloud/anthropic-simulator/index';
import { thinkingSignature } from '#lib/local-cloud/anthropic-simulator/model-rules';

let sim: AnthropicSimulator;
let client: Anthropic;

beforeAll(async () => {
  sim = await startAnthropicSimulator({ apiKey: 'sk-test', now: () => new Date('2026-11-21T12:00:00Z') });
  client = new Anthropic({ apiKey: 'sk-test', baseURL: sim.url, maxRetries: 0 });
});
afterAll(async () => {
  await sim?.close();
});

/** SDK 1.12.0 no longer types the sampling settings; the API still receives them if sent. */
type Params = Anthropic.MessageCreateParamsNonStreaming & { temperature?: number; top_p?: number; top_k?: number };
const hello: Params['messages'] = [{ role: 'user', content: 'hola' }];
const tool: Anthropic.Tool = { name: 'search_faq', input_schema: { type: 'object', properties: {} } };

/** The API's answer to a request: its HTTP status and error body, or 200. */
async function outcome(params: Partial<Params> & { model: string }): Promise<{ status: number; type?: string; message?: string }> {
  try {
    await client.messages.create({ max_tokens: 1024, messages: hello, ...params } as Anthropic.MessageCreateParamsNonStreaming);
    return { status: 200 };
  } catch (e) {
    if (!(e instanceof Anthropic.APIError)) throw e;
    const body = e.error as { error?: { type?: string; message?: string } };
    return { status: e.status ?? 0, type: body.error?.type, message: body.error?.message };
  }
}

describe('the Messages API simulator refuses what each model refuses', () => {
  it.each<[string, Partial<Params>, string]>([
    ['a temperature', { temperature: 0.2 }, '`temperature` is deprecated for this model.'],
    ['top_p', { top_p: 0.9 }, '`top_p` is deprecated for this model.'],
    ['a manual thinking budget', { thinking: { type: 'enabled', budget_tokens: 2048 } }, '"thinking.type.enabled" is not supported for this model.'],
    ['thinking disabled', { thinking: { type: 'disabled' } }, 'Use "thinking.type.between_tools"'],
    ['forced tool use', { tools: [tool], tool_choice: { type: 'any' } }, 'forced tool use is not available'],
    ['an assistant prefill', { messages: [...hello, { role: 'assistant', content: 'Claro,' }] }, 'does not support assistant message prefill'],
    ['max effort with between_tools', { thinking: { type: 'between_tools' }, output_config: { effort: 'max' } }, "Use effort 'high' or below."],
  ])('Claude Sonnet 5.5 with %s: 400 invalid_request_error', async (_name, params, message) => {
    const result = await outcome({ model: 'claude-sonnet-5-5', ...params });
    expect(result).toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect(result.message).toContain(message);
  });

  it('Claude Sonnet 5.5 accepts the agent-shaped request: between_tools thinking, low effort, automatic tool choice', async () => {
    expect(await outcome({ model: 'claude-sonnet-5-5', tools: [tool], thinking: { type: 'between_tools' }, output_config: { effort: 'low' } })).toEqual({
      status: 200,
    });
    expect(await outcome({ model: 'claude-sonnet-5-5', tools: [tool], tool_choice: { type: 'auto' }, thinking: { type: 'adaptive' } })).toEqual({
      status: 200,
    });
  });

  it.each<[string, Partial<Params>, string]>([
    ['an effort', { output_config: { effort: 'low' } }, 'does not support the effort parameter'],
    ['adaptive thinking', { thinking: { type: 'adaptive' } }, '"thinking.type.adaptive" is not supported for this model.'],
    ['both temperature and top_p', { temperature: 0.5, top_p: 0.9 }, 'cannot both be specified'],
    [
      'a thinking budget with forced tool use',
      { max_tokens: 4096, tools: [tool], tool_choice: { type: 'any' }, thinking: { type: 'enabled', budget_tokens: 1024 } },
      'Thinking may not be enabled when tool_choice forces tool use.',
    ],
  ])('Claude Haiku 4.5 with %s: 400 invalid_request_error', async (_name, params, message) => {
    const result = await outcome({ model: 'claude-haiku-4-5', ...params });
    expect(result).toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect(result.message).toContain(message);
  });

  it('Claude Haiku 4.5 accepts a temperature alone, a prefill and a manual thinking budget', async () => {
    expect(await outcome({ model: 'claude-haiku-4-5', temperature: 0.3 })).toEqual({ status: 200 });
    expect(await outcome({ model: 'claude-haiku-4-5-20251001', messages: [...hello, { role: 'assistant', content: 'Claro,' }] })).toEqual({ status: 200 });
    expect(await outcome({ model: 'claude-haiku-4-5', max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 1024 } })).toEqual({ status: 200 });
    // The budget is part of max_tokens, so it must leave room for the answer.
    expect(await outcome({ model: 'claude-haiku-4-5', max_tokens: 1024, thinking: { type: 'enabled', budget_tokens: 1024 } })).toMatchObject({ status: 400 });
  });

  it('Claude Haiku 5.5 takes effort with adaptive thinking but not between_tools', async () => {
    expect(await outcome({ model: 'claude-haiku-5-5', output_config: { effort: 'low' } })).toEqual({ status: 200 });
    expect(await outcome({ model: 'claude-haiku-5-5', thinking: { type: 'between_tools' } })).toMatchObject({ status: 400 });
  });

  it('answers 404 not_found_error for retired model ids, and serves a deprecated one until its date', async () => {
    expect(await outcome({ model: 'claude-3-5-haiku-20241022' })).toEqual({
      status: 404,
      type: 'not_found_error',
      message: 'model: claude-3-5-haiku-20241022',
    });
    expect(await outcome({ model: 'claude-sonnet-4-20250514' })).toEqual({ status: 404, type: 'not_found_error', message: 'model: claude-sonnet-4-20250514' });
    expect(await outcome({ model: 'claude-sonnet-4-5' })).toEqual({ status: 200 });
  });

  it('refuses a thinking block that was altered or came from another model', async () => {
    const turn = (model: string, thinking: string): Params['messages'] => [
      { role: 'user', content: 'hola' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking, signature: thinkingSignature(model, '') },
          { type: 'text', text: 'Hola' },
        ],
      },
      { role: 'user', content: '¿y el envío?' },
    ];
    expect(await outcome({ model: 'claude-haiku-5-5', messages: turn('claude-haiku-5-5', '') })).toEqual({ status: 200 });
    expect(await outcome({ model: 'claude-haiku-5-5', messages: turn('claude-haiku-5-5', 'edited') })).toMatchObject({
      status: 400,
      message: expect.stringContaining('Invalid `signature`'),
    });
    expect(await outcome({ model: 'claude-haiku-5-5', messages: turn('claude-sonnet-5-5', '') })).toMatchObject({ status: 400 });
  });

  it('keeps refused requests out of its request log', async () => {
    sim.requests.length = 0;
    await outcome({ model: 'claude-sonnet-5-5', temperature: 1 });
    expect(sim.requests).toHaveLength(0);
  });
});
