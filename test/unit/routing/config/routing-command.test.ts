import { describe, expect, it } from 'vitest';
import { runRoutingCommand, type RoutingCommandDeps } from '#lib/operations/routing-command';

function harness(responses: Array<{ status: number; body: unknown }>, files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: Array<{ url: string; method: string; auth: string; body?: unknown }> = [];
  const written: Record<string, string> = {};
  const tokenRequests: unknown[] = [];
  const deps: RoutingCommandDeps = {
    token: async (o) => {
      tokenRequests.push(o);
      return 'TOKEN';
    },
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({
        url,
        method: String(init.method),
        auth: (init.headers as Record<string, string>).authorization!,
        ...(init.body ? { body: JSON.parse(String(init.body)) } : {}),
      });
      const next = responses.shift();
      if (!next) throw new Error('no more responses');
      return new Response(JSON.stringify(next.body), { status: next.status });
    }) as typeof fetch,
    readFile: async (p) => {
      if (!(p in files)) throw new Error(`ENOENT ${p}`);
      return files[p]!;
    },
    writeFile: async (p, t) => {
      written[p] = t;
    },
  };
  const run = (...argv: string[]) => runRoutingCommand(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, deps);
  return { run, out, err, calls, written, tokenRequests };
}

const API = 'http://127.0.0.1:3000';

describe('npm run routing', () => {
  it('lists every page of agents with an admin token for the business', async () => {
    const agent = (agentId: string) => ({
      agentId,
      name: agentId.toUpperCase(),
      presence: 'online',
      activeConversationKeys: ['k'],
      maxConcurrent: 3,
      languages: ['es'],
      skills: [],
      version: 1,
    });
    const h = harness([
      { status: 200, body: { items: [agent('ana')], cursor: 'C1' } },
      { status: 200, body: { items: [agent('bruno')] } },
    ]);
    expect(await h.run('list', 'agents', '--business', 'shop')).toBe(0);
    expect(h.tokenRequests).toEqual([{ apiUrl: API, businessId: 'shop', subject: 'routing-cli', roles: ['admin'] }]);
    expect(h.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      `GET ${API}/admin/routing/agents?businessId=shop&limit=100`,
      `GET ${API}/admin/routing/agents?businessId=shop&limit=100&cursor=C1`,
    ]);
    expect(h.out).toHaveLength(2);
    expect(h.out[0]).toMatch(/^ana {2}ANA {2}online {2}load 1\/3 {2}languages es {2}skills any {2}v1$/);
  });

  it('puts an agent from flags, and a queue from a file with an expected version', async () => {
    const h = harness(
      [
        { status: 200, body: { agentId: 'ana', version: 1 } },
        { status: 200, body: { queueId: 'vip', version: 3 } },
      ],
      { 'q.json': '{"queueId":"vip","name":"VIP","sla":{"firstResponseSeconds":120}}' },
    );
    expect(await h.run('put', 'agent', '--business', 'shop', '--id', 'ana', '--name', 'Ana', '--languages', 'es, pt', '--max', '4')).toBe(0);
    expect(await h.run('put', 'queue', '--business', 'shop', '--file', 'q.json', '--expected-version', '2')).toBe(0);
    expect(h.calls).toEqual([
      {
        url: `${API}/admin/routing/agents`,
        method: 'PUT',
        auth: 'Bearer TOKEN',
        body: { agentId: 'ana', name: 'Ana', languages: ['es', 'pt'], maxConcurrent: 4, businessId: 'shop' },
      },
      {
        url: `${API}/admin/routing/queues`,
        method: 'PUT',
        auth: 'Bearer TOKEN',
        body: { queueId: 'vip', name: 'VIP', sla: { firstResponseSeconds: 120 }, businessId: 'shop', expectedVersion: 2 },
      },
    ]);
    expect(h.out).toEqual(['Saved agent ana of shop as version 1', 'Saved queue vip of shop as version 3']);
  });

  it('gets the rules into a file ready to put back, with their version', async () => {
    const h = harness([{ status: 200, body: { businessId: 'shop', rules: [{ ruleId: 'vip' }], defaultQueueId: 'general', version: 4, updatedAt: 't' } }]);
    expect(await h.run('get', 'rules', '--business', 'shop', '--file', 'rules.json')).toBe(0);
    expect(JSON.parse(h.written['rules.json']!)).toEqual({ rules: [{ ruleId: 'vip' }], defaultQueueId: 'general', expectedVersion: 4 });

    const put = harness([{ status: 200, body: { version: 5 } }], { 'rules.json': h.written['rules.json']! });
    expect(await put.run('put', 'rules', '--business', 'shop', '--file', 'rules.json')).toBe(0);
    expect(put.calls[0]!.body).toEqual({ rules: [{ ruleId: 'vip' }], defaultQueueId: 'general', expectedVersion: 4, businessId: 'shop' });
  });

  it('shows, deletes and tags contacts', async () => {
    const h = harness([
      { status: 200, body: { macroId: 'hi', version: 1 } },
      { status: 200, body: { deleted: true } },
      { status: 200, body: { tags: ['vip'] } },
    ]);
    expect(await h.run('show', 'macro', 'hi', '--business', 'shop')).toBe(0);
    expect(await h.run('delete', 'queue', 'spare', '--business', 'shop')).toBe(0);
    expect(await h.run('tag-contact', '--business', 'shop', '--channel', 'whatsapp', '--customer', '5215550001', '--tags', 'VIP')).toBe(0);
    expect(h.calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['GET', `${API}/admin/routing/macros?businessId=shop&macroId=hi`, undefined],
      ['POST', `${API}/admin/routing/queues/delete`, { businessId: 'shop', queueId: 'spare' }],
      ['PUT', `${API}/admin/routing/contact-tags`, { businessId: 'shop', channel: 'whatsapp', customerId: '5215550001', tags: ['VIP'] }],
    ]);
    expect(h.out.at(-1)).toBe('whatsapp customer 5215550001 is tagged vip');
  });

  it('reports a refusal with its message and how to resolve a conflict, exit 1', async () => {
    const h = harness([
      { status: 409, body: { error: 'queue_in_use', message: 'Queue vip is in use: routing rule vip sends handoffs to it; change the rules first' } },
      { status: 409, body: { error: 'version_conflict', message: 'stale', currentVersion: 6 } },
    ]);
    expect(await h.run('delete', 'queue', 'vip', '--business', 'shop')).toBe(1);
    expect(h.err[0]).toBe('Refused (HTTP 409, queue_in_use): Queue vip is in use: routing rule vip sends handoffs to it; change the rules first');
    expect(await h.run('put', 'agent', '--business', 'shop', '--id', 'a', '--name', 'A', '--languages', 'es', '--expected-version', '5')).toBe(1);
    expect(h.err.join('\n')).toMatch(/--expected-version 6/);
  });

  it.each([
    [['list', 'agents']],
    [['list', 'people', '--business', 'shop']],
    [['show', 'agent', '--business', 'shop']],
    [['put', 'agent', '--business', 'shop', '--name', 'A']],
    [['put', 'queue', '--business', 'shop', '--id', 'q', '--name', 'Q']],
    [['put', 'rules', '--business', 'shop']],
    [['put', 'agent', '--business', 'shop', '--id', 'a', '--name', 'A', '--max', 'three']],
    [['tag-contact', '--business', 'shop', '--channel', 'whatsapp']],
    [['frobnicate', '--business', 'shop']],
    [['list', 'agents', '--business', 'shop', '--colour', 'red']],
  ])('refuses %j with usage (exit 2) and calls nothing', async (argv) => {
    const h = harness([]);
    expect(await h.run(...argv)).toBe(2);
    expect(h.err.join('\n')).toContain('npm run routing --');
    expect(h.calls).toEqual([]);
  });

  it('says when a file is not JSON (exit 2)', async () => {
    const h = harness([], { 'a.json': '{nope' });
    expect(await h.run('put', 'agent', '--business', 'shop', '--file', 'a.json')).toBe(2);
    expect(h.err[0]).toMatch(/^Cannot read a\.json as JSON/);
  });
});
