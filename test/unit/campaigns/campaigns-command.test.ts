import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CampaignAdminDeps } from '#lambdas/campaigns/campaign-admin-deps';
import { inMemoryCampaignStore } from '#lambdas/campaigns/in-memory-campaign-store';
import { routeCampaignsRequest } from '#lambdas/campaigns/route-campaigns-request';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { runCampaignsCommand } from '#lib/operations/campaigns-command';
import { inMemoryContactStore } from '#test/helpers/in-memory-contact-store';
import { ACCOUNT, BUSINESS, memoryLookups, recordingPublisher, seedContact } from '#test/helpers/campaign-fixtures';
import { runListBuild, sourcesOf } from '#test/helpers/campaign-list-builds';

/**
 * The CLI against the real router (in-memory stores behind it): what it sends, what it prints,
 * and how it refuses bad arguments before calling anything.
 */
let deps: CampaignAdminDeps;
let files: Map<string, string>;
let calls: Array<{ method: string; url: string; body?: unknown; authorization?: string }>;
let tokensAsked: number;

const identities: Record<string, OperatorIdentity> = {
  'admin-token': { subject: 's1', actor: 'ana@shop', businessId: BUSINESS, roles: ['admin'], scopes: ['omnichannel/admin'] },
  'supervisor-token': { subject: 's2', actor: 'sup@shop', businessId: BUSINESS, roles: ['supervisor'], scopes: ['omnichannel/admin'] },
  'platform-token': { subject: 's3', actor: 'ops', businessId: 'ops', roles: ['platform'], scopes: ['omnichannel/admin'] },
};

const routedFetch = (async (input: string | URL, init?: RequestInit) => {
  const url = new URL(String(input));
  const body = init?.body === undefined ? undefined : String(init.body);
  const authorization = String((init?.headers as Record<string, string>)?.authorization ?? '');
  calls.push({ method: init?.method ?? 'GET', url: String(input), ...(body ? { body: JSON.parse(body) } : {}), authorization });
  const identity = identities[authorization.replace('Bearer ', '')];
  if (!identity) return new Response(JSON.stringify({ message: 'Unauthorized' }), { status: 401 });
  const event = {
    rawPath: url.pathname,
    routeKey: `${init?.method} ${url.pathname}`,
    queryStringParameters: Object.fromEntries(url.searchParams),
    ...(body ? { body } : {}),
    isBase64Encoded: false,
    requestContext: { http: { method: init?.method ?? 'GET', path: url.pathname }, requestId: 'r' },
  } as unknown as APIGatewayProxyEventV2;
  const res = await routeCampaignsRequest(event, identity, deps);
  return new Response(String(res.body), { status: res.statusCode });
}) as typeof fetch;

async function run(args: string[], token = 'admin-token') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCampaignsCommand(
    args,
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    {
      fetch: routedFetch,
      token: async () => {
        tokensAsked++;
        return token;
      },
      readFile: async (p) => {
        const text = files.get(p);
        if (text === undefined) throw new Error(`ENOENT: ${p}`);
        return text;
      },
    },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeEach(async () => {
  const contacts = inMemoryContactStore();
  await seedContact(contacts, { waId: '5511900000001', name: 'Ana Souza', tags: ['vip'], attributes: { coupon: 'ANA' }, consent: 'opted_in' });
  await seedContact(contacts, { waId: '5511900000002', name: 'Bruno', tags: ['vip'], consent: 'opted_out' });
  let n = 0;
  deps = {
    store: inMemoryCampaignStore(),
    contacts,
    lookups: memoryLookups(),
    publisher: recordingPublisher(),
    newCampaignId: () => `cmp_01J00000000000000000000${String(++n).padStart(3, '0')}`,
    now: () => new Date('2026-05-10T12:00:00Z'),
  };
  calls = [];
  tokensAsked = 0;
  files = new Map([
    [
      'campaign.json',
      JSON.stringify({
        name: 'Spring sale',
        accountId: ACCOUNT,
        template: { name: 'spring_sale', language: 'es' },
        audience: {
          kind: 'contacts',
          tags: ['vip'],
          variables: {
            '1': { from: 'contact', field: 'first_name' },
            '2': { from: 'text', value: '20' },
            'button.0': { from: 'attribute', key: 'coupon', fallback: 'SPRING' },
          },
        },
      }),
    ],
    ['audience.csv', 'phone;1;2;button.0\n(11) 90000-0001;Ana;15;A\n11 90000-0002;Bruno;15;B\n'],
    ['bad.csv', 'phone,1,2,button.0\n+5511900000001,Ana,15,A\n=cmd|x,Eve,1,E\n'],
  ]);
});

describe('npm run campaigns', () => {
  it('creates, previews, schedules, pauses, resumes and cancels, printing the counts', async () => {
    const created = await run(['create', '--file', 'campaign.json']);
    expect(created).toMatchObject({ code: 0, err: '' });
    expect(created.out).toContain('Created cmp_01J00000000000000000000001 (Spring sale), a draft at version 1');
    const id = 'cmp_01J00000000000000000000001';

    const preview = await run(['preview', id]);
    expect(preview.out).toBe(['Would reach 1 customer', 'Left off: opted_out 1', '  55*********01  {{1}}="Ana" {{2}}="20" {{button.0}}="ANA"'].join('\n'));

    const scheduled = await run(['schedule', id, '--expected-version', '1']);
    expect(scheduled.out).toBe(
      [
        'Scheduled cmp_01J00000000000000000000001: starts now (version 2)',
        `building the list… 0 written so far (look again with: npm run campaigns -- show ${id})`,
      ].join('\n'),
    );
    // The release function builds the list.
    await runListBuild({ store: deps.store, contacts: deps.contacts, sources: sourcesOf(deps.lookups), publisher: deps.publisher }, BUSINESS, id);
    expect(calls.at(-1)).toMatchObject({
      method: 'POST',
      url: `http://127.0.0.1:3000/admin/campaigns/schedule?id=${id}`,
      body: { expectedVersion: 1 },
      authorization: 'Bearer admin-token',
    });

    expect((await run(['pause', id])).out).toContain('Paused cmp_01J00000000000000000000001');
    expect((await run(['resume', id])).out).toContain(`Resumed ${id}: scheduled`);
    const list = await run(['list']);
    expect(list.out).toBe(
      [
        `${id}  scheduled  Spring sale`,
        '    targeted 1 · released 0 · sent 0 · delivered 0 · read 0 · replied 0 · failed 0 · opted out 0  (left off: opted_out 1)',
      ].join('\n'),
    );
    const recipients = await run(['recipients', id]);
    expect(recipients.out).toBe('     0  5511900000001     queued   ');
    expect((await run(['recipients', id, '--state', 'failed'])).out).toBe('No recipients failed');
    const show = await run(['show', id]);
    expect(show.out).toContain('template   spring_sale (es), marketing');
    expect(show.out).toContain('audience   contacts tagged vip');
    expect((await run(['cancel', id])).out).toContain(`Cancelled ${id}`);
    // One token for each run, asked once.
    expect(tokensAsked).toBe(10);
  });

  it('sends a CSV as the audience with its country, and prints the bad lines the API refused', async () => {
    const created = await run(['create', '--file', 'campaign.json', '--csv', 'audience.csv', '--country', 'br']);
    expect(created.code).toBe(0);
    expect(calls[0]!.body).toMatchObject({ audience: { kind: 'csv', defaultCountry: 'BR', csv: files.get('audience.csv') } });
    expect(created.out).toContain('targeted 1 · released 0');
    expect(created.out).toContain('(left off: opted_out 1)');

    const bad = await run(['create', '--file', 'campaign.json', '--csv', 'bad.csv']);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(
      [
        'Refused (HTTP 400, invalid_rows): 1 line of the file cannot be sent; fix it and upload again',
        '  line 3: phone: not a possible phone number (write it with its country code, or give defaultCountry)',
      ].join('\n'),
    );
  });

  it('masks numbers for a supervisor and acts for another business with a platform token', async () => {
    await run(['create', '--file', 'campaign.json']);
    await run(['schedule', 'cmp_01J00000000000000000000001']);
    await runListBuild(
      { store: deps.store, contacts: deps.contacts, sources: sourcesOf(deps.lookups), publisher: deps.publisher },
      BUSINESS,
      'cmp_01J00000000000000000000001',
    );
    expect((await run(['recipients', 'cmp_01J00000000000000000000001'], 'supervisor-token')).out).toContain('55*********01');
    const refused = await run(['pause', 'cmp_01J00000000000000000000001'], 'supervisor-token');
    expect(refused).toMatchObject({ code: 1, err: expect.stringContaining('Refused (HTTP 403, forbidden)') });
    const platform = await run(['show', 'cmp_01J00000000000000000000001', '--act-for', BUSINESS], 'platform-token');
    expect(platform.code).toBe(0);
    expect(calls.at(-1)!.url).toContain(`businessId=${BUSINESS}`);
  });

  it('refuses bad arguments before calling anything', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /npm run campaigns -- <action>/],
      [['launch'], /Unknown action launch/],
      [['show'], /show needs the campaign's id/],
      [['create'], /create needs --file/],
      [['create', '--file', 'missing.json'], /Cannot read missing.json/],
      [['create', '--file', 'audience.csv'], /as a JSON object/],
      [['create', '--file', 'campaign.json', '--country', 'BR'], /--country goes with --csv/],
      [['recipients', 'cmp_x', '--state', 'lost'], /--state is one of queued/],
      [['pause', 'cmp_x', '--expected-version', 'two'], /whole number/],
      [['show', 'a', 'b'], /Unexpected b/],
      [['list', '--nope'], /Unknown option '--nope'/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
    }
    files.set('huge.csv', `phone\n${'+5511900000001\n'.repeat(400_000)}`);
    expect((await run(['create', '--file', 'campaign.json', '--csv', 'huge.csv'])).err).toMatch(/over 5 MB/);
    expect(calls).toEqual([]);
    expect((await run(['--help'])).code).toBe(0);
  });

  it('reports an API answer that is not a campaign with its status', async () => {
    const r = await run(['show', 'cmp_#x']);
    expect(r).toMatchObject({ code: 1, err: expect.stringMatching(/^Refused \(HTTP 400, invalid_request\): id: a campaign id/) });
    const missing = await run(['show', 'cmp_01J00000000000000000000999']);
    expect(missing.err).toBe('Refused (HTTP 404, campaign_not_found): No campaign with that id in your business');
  });
});
