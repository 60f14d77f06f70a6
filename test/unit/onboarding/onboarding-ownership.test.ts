import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { graphErrorFromResponse } from '#lambdas/adapters/graph-api-client';
import type { AccountTokenStore } from '#lambdas/onboarding/account-token-store';
import type { OnboardingDeps } from '#lambdas/onboarding/onboarding-deps';
import type { OnboardingGraph } from '#lambdas/onboarding/onboarding-graph-client';
import { onboardInstagramAccount } from '#lambdas/onboarding/onboard-instagram-account';
import { onboardWhatsAppNumber } from '#lambdas/onboarding/onboard-whatsapp-number';
import { proveWhatsAppAccess } from '#lambdas/onboarding/prove-account-access';
import { dynamoOnboardingStores } from '#lambdas/onboarding/onboarding-stores';
import { AccessNotProven, OnboardingConflictError } from '#lambdas/onboarding/errors';

const WABA = '2100';
const NUMBER = '1100';
const PAGE = '1300';
const IG = '17841000';

const unknownObject = (id: string) =>
  graphErrorFromResponse(400, {
    error: {
      message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      type: 'GraphMethodException',
      code: 100,
      error_subcode: 33,
      fbtrace_id: 'Atrace',
    },
  });

type Answer = Record<string, unknown> | Error;

/**
 * Fakes that write every call into one log, so a test can read the order in which onboarding
 * asked Meta, wrote the registry (DynamoDB) and wrote the token secret.
 */
function world(
  answers: Record<string, Answer | ((query: Record<string, string>) => Answer)>,
  options: { claimRefused?: Array<'None' | 'ConditionalCheckFailed'> } = {},
) {
  const log: string[] = [];
  const graph: OnboardingGraph = {
    get: async (path, query) => {
      log.push(`graph GET ${path}${query.after ? `?after=${query.after}` : ''}`);
      const found = answers[path.startsWith('oauth/') ? `oauth:${query.grant_type ?? 'code'}` : path];
      const answer = typeof found === 'function' ? found(query) : found;
      if (answer === undefined) throw new Error(`unexpected GET ${path}`);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    post: async (path) => {
      log.push(`graph POST ${path}`);
      return { success: true };
    },
  };
  const db = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      const key = (command.input.Key as { pk?: string; sk?: string } | undefined) ?? (command.input.Item as { pk?: string; sk?: string } | undefined);
      log.push(`db ${name}${key?.pk ? ` ${key.pk}/${key.sk}` : ''}`);
      if (name === 'TransactWrite' && options.claimRefused) {
        throw Object.assign(new Error('Transaction cancelled'), {
          name: 'TransactionCanceledException',
          CancellationReasons: options.claimRefused.map((Code) => ({ Code })),
        });
      }
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  const tokens: AccountTokenStore = {
    get: async (name) => {
      log.push(`secret get ${name}`);
      return undefined;
    },
    put: async (name) => {
      log.push(`secret put ${name}`);
      return name;
    },
  };
  const deps: OnboardingDeps = {
    ...dynamoOnboardingStores(db, 't'),
    graph,
    tokens,
    app: async () => ({ appId: '900', appSecret: 's' }),
    secretNamePrefix: 'P',
    now: () => new Date('2026-11-22T03:00:00.000Z'),
    newPin: () => '135790',
  };
  return { log, deps };
}

const writes = (log: string[]) => log.filter((l) => l.startsWith('secret put') || /^db (Put|Update|TransactWrite|Delete)/.test(l));

describe('WhatsApp onboarding: proof before any write', () => {
  const request = { businessId: 'biz-b', code: 'AQcode', wabaId: WABA, phoneNumberId: NUMBER };

  it("stops when the new token cannot read the WABA, with Meta's error and advice, and writes nothing", async () => {
    const { log, deps } = world({ 'oauth:code': { access_token: 'EAAnew' }, [WABA]: unknownObject(WABA) });
    const report = await onboardWhatsAppNumber(deps, request);
    expect(report.failure).toMatchObject({
      step: 'exchange_token',
      code: 100,
      subcode: 33,
      message: expect.stringContaining(`the new token cannot read WhatsApp Business Account ${WABA}: Unsupported get request`),
    });
    expect(report.failure?.advice).toMatch(/ids the signup returned/);
    expect(report.steps.exchange_token?.status).toBe('failed');
    expect(log).toEqual([`db Get WABA#${WABA}/ONBOARDING#${NUMBER}`, 'graph GET oauth/access_token', `graph GET ${WABA}`]);
  });

  it("stops when the number is on none of the WABA's pages of numbers, and writes nothing", async () => {
    const { log, deps } = world({
      'oauth:code': { access_token: 'EAAnew' },
      [WABA]: { id: WABA, name: 'B' },
      [`${WABA}/phone_numbers`]: (query) =>
        query.after
          ? { data: [{ id: '1103' }], paging: { cursors: { after: 'c2' } } }
          : { data: [{ id: '1101' }, { id: '1102' }], paging: { cursors: { after: 'c1' }, next: 'https://graph/next' } },
    });
    const report = await onboardWhatsAppNumber(deps, request);
    expect(report.failure).toMatchObject({
      step: 'exchange_token',
      message: `phone number ${NUMBER} is not one of the numbers of WhatsApp Business Account ${WABA}`,
    });
    expect(log.filter((l) => l.startsWith('graph'))).toEqual([
      'graph GET oauth/access_token',
      `graph GET ${WABA}`,
      `graph GET ${WABA}/phone_numbers`,
      `graph GET ${WABA}/phone_numbers?after=c1`,
    ]);
    expect(writes(log)).toEqual([]);
  });

  it('refuses a WABA answered as another object', async () => {
    const { log, deps } = world({ 'oauth:code': { access_token: 'EAAnew' }, [WABA]: { id: '9999' } });
    expect((await onboardWhatsAppNumber(deps, request)).failure?.message).toMatch(/another object/);
    expect(writes(log)).toEqual([]);
  });

  it('proves, then claims the WABA and number in one conditional transaction, then writes the secret', async () => {
    const { log, deps } = world({
      'oauth:code': { access_token: 'EAAnew' },
      [WABA]: { id: WABA, name: 'B' },
      [`${WABA}/phone_numbers`]: { data: [{ id: NUMBER }] },
    });
    const report = await onboardWhatsAppNumber(
      {
        ...deps,
        graph: {
          ...deps.graph,
          post: async () => {
            throw new Error('stop after the exchange');
          },
        },
      },
      request,
    );
    expect(report.steps.exchange_token?.status).toBe('done');
    const first = (entry: string) => log.findIndex((l) => l.startsWith(entry));
    expect(first(`graph GET ${WABA}/phone_numbers`)).toBeLessThan(first('db TransactWrite'));
    expect(first('db TransactWrite')).toBeLessThan(first('secret put'));
    expect(writes(log).slice(0, 4)).toEqual([
      'db TransactWrite',
      `db Update ACCT#${NUMBER}/ACCOUNT`,
      'secret put P/account-tokens/2100',
      `db Update WABA#${WABA}/WABA`,
    ]);
  });

  it('refuses, saving nothing, when the claim finds the WABA owned by another business', async () => {
    const { log, deps } = world(
      { 'oauth:code': { access_token: 'EAAnew' }, [WABA]: { id: WABA }, [`${WABA}/phone_numbers`]: { data: [{ id: NUMBER }] } },
      { claimRefused: ['ConditionalCheckFailed', 'None'] },
    );
    await expect(onboardWhatsAppNumber(deps, request)).rejects.toThrow(
      new OnboardingConflictError(`WhatsApp Business Account ${WABA} belongs to another business`),
    );
    expect(writes(log)).toEqual(['db TransactWrite']);
  });
});

describe('Instagram onboarding: the Page read is the proof', () => {
  const oauth = { 'oauth:code': { access_token: 'EAAuser' }, 'oauth:fb_exchange_token': { access_token: 'EAAlong' } };

  it('writes nothing when the new token cannot read the Page', async () => {
    const { log, deps } = world({ ...oauth, [PAGE]: unknownObject(PAGE) });
    const report = await onboardInstagramAccount(deps, { businessId: 'biz-b', pageId: PAGE, code: 'AQ' });
    expect(report.failure).toMatchObject({ step: 'exchange_token', code: 100, subcode: 33 });
    expect(report.failure?.advice).toMatch(/manage this Page/);
    expect(writes(log)).toEqual([]);
  });

  it('writes nothing when the Page is linked to another Instagram account than the one named', async () => {
    const { log, deps } = world({ ...oauth, [PAGE]: { id: PAGE, access_token: 'EAApage', instagram_business_account: { id: '17841999' } } });
    const report = await onboardInstagramAccount(deps, { businessId: 'biz-b', pageId: PAGE, instagramAccountId: IG, code: 'AQ' });
    expect(report.failure?.message).toBe(`Page ${PAGE} is linked to Instagram account 17841999, not ${IG}`);
    expect(writes(log)).toEqual([]);
  });

  it('claims before writing the Page token, and writes no token when the claim is refused', async () => {
    const page = { id: PAGE, access_token: 'EAApage', instagram_business_account: { id: IG } };
    const ok = world({ ...oauth, [PAGE]: page });
    await onboardInstagramAccount(
      {
        ...ok.deps,
        graph: {
          ...ok.deps.graph,
          post: async () => {
            throw new Error('stop');
          },
        },
      },
      { businessId: 'biz-b', pageId: PAGE, code: 'AQ' },
    );
    expect(writes(ok.log).slice(0, 3)).toEqual(['db TransactWrite', `db Update ACCT#${IG}/ACCOUNT`, `secret put P/account-tokens/${IG}`]);

    const refused = world({ ...oauth, [PAGE]: page }, { claimRefused: ['ConditionalCheckFailed', 'None'] });
    await expect(onboardInstagramAccount(refused.deps, { businessId: 'biz-b', pageId: PAGE, code: 'AQ' })).rejects.toThrow(
      `Page ${PAGE} belongs to another business`,
    );
    expect(writes(refused.log)).toEqual(['db TransactWrite']);
  });
});

describe('proveWhatsAppAccess', () => {
  it('tries a read again after a temporary error, and gives up on a lasting one', async () => {
    const temporary = graphErrorFromResponse(500, { error: { message: 'An unexpected error has occurred.', code: 2, is_transient: true, fbtrace_id: 'A' } });
    let calls = 0;
    const flaky: OnboardingGraph = {
      get: async (path) => {
        calls += 1;
        if (path === WABA && calls === 1) throw temporary;
        return path === WABA ? { id: WABA } : { data: [{ id: NUMBER }] };
      },
      post: async () => ({}),
    };
    await expect(proveWhatsAppAccess(flaky, 't', { wabaId: WABA, phoneNumberId: NUMBER }, { retryDelaysMs: [0] })).resolves.toBeUndefined();
    expect(calls).toBe(3);

    const down: OnboardingGraph = {
      get: async () => {
        throw temporary;
      },
      post: async () => ({}),
    };
    const err = await proveWhatsAppAccess(down, 't', { wabaId: WABA, phoneNumberId: NUMBER }, { retryDelaysMs: [0, 0] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessNotProven);
    expect((err as AccessNotProven).metaError?.code).toBe(2);
  });

  it("does not retry Meta's refusal to show the WABA", async () => {
    let calls = 0;
    const graph: OnboardingGraph = {
      get: async () => {
        calls += 1;
        throw unknownObject(WABA);
      },
      post: async () => ({}),
    };
    await expect(proveWhatsAppAccess(graph, 't', { wabaId: WABA, phoneNumberId: NUMBER }, { retryDelaysMs: [0, 0] })).rejects.toBeInstanceOf(AccessNotProven);
    expect(calls).toBe(1);
  });
});
