import { describe, expect, it } from 'vitest';
import { runFlowsCommand, type FlowsCommandDeps } from '#lib/operations/flows-command';

function harness(responses: Array<{ status: number; body: unknown }>, files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: Array<{ url: string; method: string; auth: string; body?: unknown }> = [];
  const written: Record<string, string> = {};
  const tokenRequests: unknown[] = [];
  const deps: FlowsCommandDeps = {
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
      const next = responses.shift()!;
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
  const run = (...argv: string[]) => runFlowsCommand(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, deps);
  return { run, out, err, calls, written, tokenRequests };
}

describe('npm run flows', () => {
  it('puts a file as the next version with an admin token for the business', async () => {
    const h = harness([{ status: 200, body: { businessId: 'shop', version: 3, changedBy: 'flows-cli', changedAt: 't' } }], { 's.json': '{"name":"Shop"}' });
    expect(await h.run('put', '--business', 'shop', '--file', 's.json', '--expected-version', '2')).toBe(0);
    expect(h.tokenRequests).toEqual([{ apiUrl: 'http://127.0.0.1:3000', businessId: 'shop', subject: 'flows-cli', roles: ['admin'] }]);
    expect(h.calls).toEqual([
      {
        url: 'http://127.0.0.1:3000/admin/bot-settings',
        method: 'PUT',
        auth: 'Bearer TOKEN',
        body: { businessId: 'shop', settings: { name: 'Shop' }, expectedVersion: 2 },
      },
    ]);
    expect(h.out.join('\n')).toContain('version 3');
  });

  it('prints each validation problem next to its field and exits 1', async () => {
    const problems = [
      { path: 'menu.0.title.en', message: 'Too big: expected string to have <=20 characters' },
      { path: 'timezone', message: 'an IANA time zone such as America/Sao_Paulo' },
    ];
    const h = harness([{ status: 400, body: { error: 'invalid_settings', message: 'The settings were not saved: 2 problem(s)', problems } }], {
      's.json': '{}',
    });
    expect(await h.run('put', '--business', 'shop', '--file', 's.json')).toBe(1);
    expect(h.err).toContain('  menu.0.title.en: Too big: expected string to have <=20 characters');
    expect(h.err).toContain('  timezone: an IANA time zone such as America/Sao_Paulo');
  });

  it('explains a conflict', async () => {
    const h = harness([{ status: 409, body: { error: 'version_conflict', message: 'stale', expectedVersion: 1, currentVersion: 4 } }], { 's.json': '{}' });
    expect(await h.run('put', '--business', 'shop', '--file', 's.json', '--expected-version', '1')).toBe(1);
    expect(h.err.join('\n')).toMatch(/version 4/);
  });

  it('refuses a file that is not JSON without calling the API', async () => {
    const h = harness([], { 's.json': '{ nope' });
    expect(await h.run('put', '--business', 'shop', '--file', 's.json')).toBe(1);
    expect(h.calls).toEqual([]);
  });

  it('gets the current settings, printed or written to a file ready to put back', async () => {
    const body = { businessId: 'shop', version: 2, changedBy: 'ana', changedAt: 't', settings: { name: 'Shop' } };
    const h = harness([
      { status: 200, body },
      { status: 200, body },
    ]);
    expect(await h.run('get', '--business', 'shop', '--api', 'http://localhost:9999/')).toBe(0);
    expect(h.calls[0]!.url).toBe('http://localhost:9999/admin/bot-settings?businessId=shop');
    expect(JSON.parse(h.out[0]!)).toEqual(body);
    expect(await h.run('get', '--business', 'shop', '--file', 'out.json')).toBe(0);
    expect(JSON.parse(h.written['out.json']!)).toEqual({ name: 'Shop' });
    expect(h.out.join('\n')).toContain('--expected-version 2');
  });

  it('answers usage errors with exit code 2', async () => {
    const h = harness([]);
    expect(await h.run('get')).toBe(2);
    expect(await h.run('put', '--business', 'shop')).toBe(2);
    expect(await h.run('delete', '--business', 'shop')).toBe(2);
    expect(await h.run('get', '--business', 'shop', '--version', 'x')).toBe(2);
    expect(h.calls).toEqual([]);
  });
});
