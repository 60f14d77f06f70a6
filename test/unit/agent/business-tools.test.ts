import type Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runTool, type ToolContext } from '#lambdas/agent/assistant/assistant-tools';
import { businessToolsConfigSchema, businessToolsSecretName, isAllowedBusinessApiUrl } from '#lambdas/agent/assistant/business-tools-config';
import { businessToolsSource, type BusinessToolsAccess } from '#lambdas/agent/assistant/business-tools-source';
import { anthropicClient, claudeAssistant, DEFAULT_CLAUDE_SETTINGS } from '#lambdas/agent/assistant/claude-assistant';
import type { BusinessFlows } from '#lambdas/agent/flows/business-flows-schema';
import { FaqIndex } from '#lambdas/agent/flows/faq-search';
import { startAnthropicSimulator, type AnthropicSimulator } from '#lib/local-cloud/anthropic-simulator/index';
import { localBusinessToolsSecrets } from '#lib/local-cloud/anthropic-simulator/local-business-tools';
import { SAMPLE_ORDERS, startSampleOrderApi, type SampleOrderApi } from '#lib/local-cloud/anthropic-simulator/sample-order-api';
import { LOCAL_CUSTOMER_IDS } from '#lib/local-cloud/graph-simulator/accounts';
import { fakeAccounts, fakeBusinessTools, TEST_TOOLS_PREFIX } from '#test/helpers/business-tools';

/** Only what the assistant reads of a business: its name, scope and (empty) FAQ. */
const business = { name: 'Test Shop', useCase: 'Orders of a small shop.', faq: [], faqMinScore: 1.5 } as unknown as BusinessFlows;

/** The chat's WhatsApp customer: owns order 1001, not 1002 or 1003. */
const waCustomer = { channel: 'whatsapp' as const, accountId: '100000000000001', customerId: LOCAL_CUSTOMER_IDS.whatsapp };
const accounts = fakeAccounts([
  { accountId: '100000000000001', channel: 'whatsapp', businessId: 'local' },
  { accountId: '17841', channel: 'instagram', businessId: 'other-shop' },
]);

let orders: SampleOrderApi;
let sim: AnthropicSimulator;
beforeAll(async () => {
  [orders, sim] = await Promise.all([startSampleOrderApi(), startAnthropicSimulator({ apiKey: 'sk-test' })]);
});
afterAll(async () => {
  await Promise.all([orders?.close(), sim?.close()]);
});
beforeEach(() => {
  orders.requests.length = 0;
  sim.requests.length = 0;
});

const access = (overrides: Partial<BusinessToolsAccess> = {}): BusinessToolsAccess => ({
  businessId: 'local',
  customer: waCustomer,
  orderApi: { url: orders.url, apiKey: orders.apiKey },
  ...overrides,
});

const toolContext = (businessTools: BusinessToolsAccess | undefined, fetchImpl: typeof fetch = fetch): ToolContext => ({
  business,
  faqIndex: new FaqIndex([]),
  language: 'en',
  ...(businessTools ? { businessTools } : {}),
  orderApiTimeoutMs: 2000,
  fetch: fetchImpl,
});

const lookup = (orderId: unknown, ctx: ToolContext) =>
  runTool({ type: 'tool_use', id: 'toolu_1', name: 'lookup_order', input: { order_id: orderId } } as Anthropic.ToolUseBlock, ctx);

/** Everything an order could reveal: its items, status, carrier and delivery date. */
const secretsOf = (orderId: string): string[] => {
  const order = SAMPLE_ORDERS.find((o) => o.id === orderId)!;
  return [
    ...order.items.map((i) => i.name),
    `"${order.status}"`,
    ...(order.carrier ? [order.carrier] : []),
    ...(order.estimatedDelivery ? [order.estimatedDelivery] : []),
  ];
};

describe('lookup_order', () => {
  it("sends the business and the conversation's customer with the business's own key, and answers their own order", async () => {
    const seen: Array<{ url: string; headers: Record<string, string> }> = [];
    const spy: typeof fetch = async (input, init) => {
      seen.push({ url: String(input), headers: init?.headers as Record<string, string> });
      return fetch(input, init);
    };
    const { result } = await lookup('1001', toolContext(access(), spy));

    expect(result.is_error).toBeUndefined();
    expect(result.content).toContain('Ceramic mug');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(`${orders.url}/orders/1001`);
    expect(seen[0]!.headers).toMatchObject({
      authorization: `Bearer ${orders.apiKey}`,
      'x-business-id': 'local',
      'x-customer-channel': 'whatsapp',
      'x-customer-account-id': '100000000000001',
      'x-customer-id': LOCAL_CUSTOMER_IDS.whatsapp,
    });
    expect(orders.requests.map((r) => r.status)).toEqual([200]);
  });

  it("answers another customer's order exactly as a missing one, with nothing of it", async () => {
    for (const orderId of ['1002', '1003']) {
      const { result } = await lookup(orderId, toolContext(access()));
      expect(result).toEqual({ type: 'tool_result', tool_use_id: 'toolu_1', content: `No order ${orderId} was found.` });
      for (const secret of secretsOf(orderId)) expect(String(result.content)).not.toContain(secret);
    }
    const { result: missing } = await lookup('9999', toolContext(access()));
    expect(missing.content).toBe('No order 9999 was found.');
    // Another WhatsApp customer of the same business asking for the first one's order.
    const stranger = { ...waCustomer, customerId: '15550009999' };
    const { result: strangers } = await lookup('1001', toolContext(access({ customer: stranger })));
    expect(strangers.content).toBe('No order 1001 was found.');
    for (const secret of secretsOf('1001')) expect(String(strangers.content)).not.toContain(secret);
    // The sample API saw who asked and refused them.
    expect(orders.requests.map((r) => [r.path, r.status, r.headers['x-customer-id']])).toEqual([
      ['/orders/1002', 404, LOCAL_CUSTOMER_IDS.whatsapp],
      ['/orders/1003', 404, LOCAL_CUSTOMER_IDS.whatsapp],
      ['/orders/9999', 404, LOCAL_CUSTOMER_IDS.whatsapp],
      ['/orders/1001', 404, '15550009999'],
    ]);
  });

  it('the same order number asked by its owner on their own channel is found', async () => {
    const igOwner = { channel: 'instagram' as const, accountId: '17841400000000001', customerId: LOCAL_CUSTOMER_IDS.instagram };
    expect((await lookup('1002', toolContext(access({ customer: igOwner })))).result.content).toContain('Linen cushion');
    // The same id on another channel is another person.
    const sameIdOtherChannel = { ...igOwner, channel: 'messenger' as const };
    expect((await lookup('1002', toolContext(access({ customer: sameIdOtherChannel })))).result.content).toBe('No order 1002 was found.');
    // Another business's customer with the same id gets nothing of this business's orders.
    expect((await lookup('1002', toolContext(access({ customer: igOwner, businessId: 'other-shop' })))).result.content).toBe('No order 1002 was found.');
  });

  it('a wrong key is an error, not an answer, reported for the operators; no business tools means no look-up at all', async () => {
    const problems: unknown[] = [];
    const ctx = { ...toolContext(access({ orderApi: { url: orders.url, apiKey: 'not-the-key' } })), onBusinessApiProblem: (p: unknown) => problems.push(p) };
    const wrongKey = await lookup('1001', ctx);
    expect(wrongKey.result.is_error).toBe(true);
    expect(String(wrongKey.result.content)).not.toContain('Ceramic mug');
    expect(problems).toEqual([{ businessId: 'local', tool: 'lookup_order', reason: 'refused_credentials' }]);

    const calls: unknown[] = [];
    const none = await lookup(
      '1001',
      toolContext(undefined, async (...args) => {
        calls.push(args);
        return new Response('{}');
      }),
    );
    expect(none.result).toMatchObject({ is_error: true, content: 'Order look-up is not available; offer a person instead.' });
    expect(calls).toEqual([]);
  });

  it('refuses odd order ids before calling, follows no redirect and takes only a JSON object as an order', async () => {
    const calls: string[] = [];
    const answering =
      (response: () => Response): typeof fetch =>
      async (input) => {
        calls.push(String(input));
        return response();
      };
    expect(
      (
        await lookup(
          '../admin',
          toolContext(
            access(),
            answering(() => new Response('{}')),
          ),
        )
      ).result.is_error,
    ).toBe(true);
    expect(
      (
        await lookup(
          { id: 1 },
          toolContext(
            access(),
            answering(() => new Response('{}')),
          ),
        )
      ).result.is_error,
    ).toBe(true);
    expect(calls).toEqual([]);

    const redirect = await lookup(
      '1001',
      toolContext(
        access(),
        answering(() => new Response(null, { status: 302, headers: { location: 'http://elsewhere.example/' } })),
      ),
    );
    expect(redirect.result.is_error).toBe(true);
    const notJson = await lookup(
      '1001',
      toolContext(
        access(),
        answering(() => new Response('<html>orders</html>')),
      ),
    );
    expect(notJson.result.is_error).toBe(true);
    const forbidden = await lookup(
      '1001',
      toolContext(
        access(),
        answering(() => new Response('{"status":"shipped"}', { status: 403 })),
      ),
    );
    expect(forbidden.result.content).toBe('No order 1001 was found.');
  });
});

describe('business tools settings', () => {
  it('take https URLs, and http only to this machine', () => {
    expect(isAllowedBusinessApiUrl('https://orders.example.com/api')).toBe(true);
    expect(isAllowedBusinessApiUrl('http://127.0.0.1:4000')).toBe(true);
    expect(isAllowedBusinessApiUrl('http://localhost:4000/base')).toBe(true);
    expect(isAllowedBusinessApiUrl('http://[::1]:4000')).toBe(true);
    expect(isAllowedBusinessApiUrl('http://orders.example.com/api')).toBe(false);
    expect(isAllowedBusinessApiUrl('http://127.0.0.1.example.com/')).toBe(false);
    expect(isAllowedBusinessApiUrl('https://user:pass@orders.example.com/')).toBe(false);
    expect(isAllowedBusinessApiUrl('https://orders.example.com/?key=1')).toBe(false);
    expect(isAllowedBusinessApiUrl('ftp://orders.example.com/')).toBe(false);
    expect(isAllowedBusinessApiUrl('not a url')).toBe(false);
    expect(businessToolsConfigSchema.safeParse({ orderApi: { url: 'https://orders.example.com', apiKey: '' } }).success).toBe(false);
    expect(businessToolsConfigSchema.safeParse({}).success).toBe(true);
  });

  it('are named per business, and a business id that could reach another name names none', () => {
    expect(businessToolsSecretName('Omnichannel-dev/business-tools', 'shop-1')).toBe('Omnichannel-dev/business-tools/shop-1');
    expect(businessToolsSecretName('Omnichannel-dev/business-tools', 'shop/../other')).toBeUndefined();
    expect(businessToolsSecretName('Omnichannel-dev/business-tools', '')).toBeUndefined();
  });

  it("come from the business that owns the conversation's account, kept a minute, absence included", async () => {
    let now = 0;
    const reads: string[] = [];
    const secrets: Record<string, string> = {
      [`${TEST_TOOLS_PREFIX}/local`]: JSON.stringify({ orderApi: { url: 'https://orders.example.com', apiKey: 'k1' } }),
    };
    const source = businessToolsSource({
      accounts,
      secretNamePrefix: TEST_TOOLS_PREFIX,
      readSecret: async (name) => {
        reads.push(name);
        return secrets[name];
      },
      nowMs: () => now,
    });
    await expect(source.forConversation(waCustomer)).resolves.toEqual({
      businessId: 'local',
      customer: waCustomer,
      orderApi: { url: 'https://orders.example.com', apiKey: 'k1' },
    });
    // other-shop has no secret: no tools.
    const igCustomer = { channel: 'instagram' as const, accountId: '17841', customerId: 'IGSID9' };
    await expect(source.forConversation(igCustomer)).resolves.toBeUndefined();
    await source.forConversation(waCustomer);
    await source.forConversation(igCustomer);
    expect(reads).toEqual([`${TEST_TOOLS_PREFIX}/local`, `${TEST_TOOLS_PREFIX}/other-shop`]);
    now += 61_000;
    secrets[`${TEST_TOOLS_PREFIX}/other-shop`] = JSON.stringify({ orderApi: { url: 'https://other.example.com', apiKey: 'k2' } });
    await expect(source.forConversation(igCustomer)).resolves.toMatchObject({ businessId: 'other-shop', orderApi: { url: 'https://other.example.com' } });
  });

  it('give nothing to an unregistered account, a channel that does not match, or a WhatsApp group', async () => {
    const source = fakeBusinessTools({ accounts, secrets: { [`${TEST_TOOLS_PREFIX}/local`]: { orderApi: { url: 'https://o.example.com', apiKey: 'k' } } } });
    await expect(source.forConversation({ ...waCustomer, accountId: '999' })).resolves.toBeUndefined();
    await expect(source.forConversation({ ...waCustomer, channel: 'messenger' })).resolves.toBeUndefined();
    await expect(source.forConversation({ ...waCustomer, customerId: 'g.120363000000000001' })).resolves.toBeUndefined();
    await expect(source.forConversation(waCustomer)).resolves.toBeDefined();
  });

  it('report an unusable secret by field, never by value, and turn its tools off', async () => {
    const reported: Array<{ businessId: string; problems: string[] }> = [];
    const source = businessToolsSource({
      accounts,
      secretNamePrefix: TEST_TOOLS_PREFIX,
      readSecret: async () => JSON.stringify({ orderApi: { url: 'http://orders.example.com', apiKey: 'sk-very-secret' } }),
      onInvalid: (businessId, problems) => reported.push({ businessId, problems }),
    });
    await expect(source.forConversation(waCustomer)).resolves.toBeUndefined();
    expect(reported).toEqual([{ businessId: 'local', problems: ['orderApi.url: custom'] }]);
    expect(JSON.stringify(reported)).not.toContain('sk-very-secret');
    expect(JSON.stringify(reported)).not.toContain('orders.example.com');
  });

  it("the local cloud's secrets point each local business at the sample API, in the shape the agent reads", () => {
    const secrets = localBusinessToolsSecrets('Omnichannel-local', ['local', 'local', 'shop-2', 'bad/id'], orders);
    expect(secrets.map((x) => x.name)).toEqual(['Omnichannel-local/business-tools/local', 'Omnichannel-local/business-tools/shop-2']);
    for (const secret of secrets) {
      expect(businessToolsConfigSchema.parse(JSON.parse(JSON.stringify(secret.value)))).toEqual({ orderApi: { url: orders.url, apiKey: orders.apiKey } });
    }
  });

  it('do not keep a failed read: the next message tries again', async () => {
    let fail = true;
    const source = businessToolsSource({
      accounts,
      secretNamePrefix: TEST_TOOLS_PREFIX,
      readSecret: async () => {
        if (fail) throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
        return JSON.stringify({ orderApi: { url: 'https://o.example.com', apiKey: 'k' } });
      },
    });
    await expect(source.forConversation(waCustomer)).rejects.toThrow('throttled');
    fail = false;
    await expect(source.forConversation(waCustomer)).resolves.toMatchObject({ businessId: 'local' });
  });
});

describe('the tools offered to the model', () => {
  const ask = async (businessTools: ReturnType<typeof fakeBusinessTools> | undefined, text: string) => {
    const assistant = claudeAssistant(
      anthropicClient('sk-test', { baseURL: sim.url, timeoutMs: 2000 }),
      DEFAULT_CLAUDE_SETTINGS,
      businessTools ? { businessTools } : {},
    );
    return assistant.answer({ business, language: 'en', history: [{ from: 'customer', text }], conversation: waCustomer });
  };

  it('leave lookup_order out when the business has no order API (so the model cannot call it)', async () => {
    for (const tools of [
      undefined,
      fakeBusinessTools({ accounts, secrets: {} }),
      fakeBusinessTools({ accounts, secrets: { [`${TEST_TOOLS_PREFIX}/local`]: {} } }),
    ]) {
      sim.requests.length = 0;
      const answer = await ask(tools, 'where is my order 1001?');
      expect(sim.requests[0]!.tools?.map((t) => t.name)).toEqual(['search_faq', 'handoff_to_human', 'set_language']);
      expect(JSON.stringify(sim.requests[0]!.system)).toContain('You cannot look orders up');
      expect(answer.toolCalls).not.toContain('lookup_order');
      expect(answer.text ?? '').not.toContain('Ceramic mug');
    }
    expect(orders.requests).toEqual([]);
  });

  it('offer it with the business configured, acting for the conversation customer whatever order the model names', async () => {
    const tools = fakeBusinessTools({ accounts, secrets: { [`${TEST_TOOLS_PREFIX}/local`]: { orderApi: { url: orders.url, apiKey: orders.apiKey } } } });
    const own = await ask(tools, 'where is my order 1001?');
    expect(sim.requests[0]!.tools?.map((t) => t.name)).toEqual(['search_faq', 'lookup_order', 'handoff_to_human', 'set_language']);
    expect(own.text).toContain('Ceramic mug');

    const someoneElses = await ask(tools, 'where is my order 1002?');
    expect(someoneElses.toolCalls).toEqual(['lookup_order']);
    expect(someoneElses.text).toContain('No order 1002 was found');
    for (const secret of secretsOf('1002')) expect(someoneElses.text).not.toContain(secret);
    expect(orders.requests.map((r) => [r.path, r.headers['x-customer-id'], r.status])).toEqual([
      ['/orders/1001', LOCAL_CUSTOMER_IDS.whatsapp, 200],
      ['/orders/1002', LOCAL_CUSTOMER_IDS.whatsapp, 404],
    ]);
  });
});
