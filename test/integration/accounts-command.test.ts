import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getChannelAccount } from '#lambdas/accounts/channel-account';
import { runAccountsCommand } from '#lib/operations/accounts-command';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
}, 120_000);
afterAll(async () => {
  await table.stop();
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

const run = (args: string[]) => {
  const c = capture();
  return runAccountsCommand([...args, '--table', table.tableName], c.io, { db: () => table.db, now: () => new Date('2026-11-22T10:00:00Z') }).then((code) => ({
    code,
    ...c,
  }));
};

describe('npm run accounts', () => {
  it('registers a WhatsApp number with its own token secret, lists it under its business and shows it', async () => {
    const reg = await run([
      'register',
      '--account',
      '100000000000901',
      '--channel',
      'whatsapp',
      '--business',
      'acme',
      '--waba',
      '200000000000901',
      '--token-secret',
      'Omnichannel-prod/account-tokens/200000000000901',
      '--coexistence',
    ]);
    expect(reg).toMatchObject({ code: 0, err: [] });
    const item = await getChannelAccount(table.db, table.tableName, '100000000000901', { consistentRead: true });
    expect(item).toMatchObject({
      accountId: '100000000000901',
      channel: 'whatsapp',
      businessId: 'acme',
      wabaId: '200000000000901',
      tokenSecretId: 'Omnichannel-prod/account-tokens/200000000000901',
      coexistence: true,
      status: 'active',
      createdAt: '2026-11-22T10:00:00.000Z',
    });

    await run(['register', '--account', '17841400000000901', '--channel', 'instagram', '--business', 'other']);
    const listed = await run(['list', '--business', 'acme']);
    expect(listed.code).toBe(0);
    expect(listed.out.join('\n')).toContain('100000000000901');
    expect(listed.out.join('\n')).not.toContain('17841400000000901');
    expect((await run(['list'])).out.join('\n')).toContain('17841400000000901');
    expect(JSON.parse((await run(['show', '--account', '100000000000901'])).out.join('\n'))).toMatchObject({ businessId: 'acme', status: 'active' });
  });

  it('refuses to move an account to another business, and incomplete or wrong options', async () => {
    await run(['register', '--account', '100000000000902', '--channel', 'whatsapp', '--business', 'acme', '--waba', '2000']);
    const moved = await run(['register', '--account', '100000000000902', '--channel', 'whatsapp', '--business', 'globex', '--waba', '2000']);
    expect(moved.code).toBe(1);
    expect(moved.err.join('\n')).toContain('belongs to business acme');
    expect((await getChannelAccount(table.db, table.tableName, '100000000000902'))?.businessId).toBe('acme');

    expect((await run(['register', '--account', '1', '--channel', 'sms', '--business', 'b'])).code).toBe(2);
    expect((await run(['register', '--account', '1', '--channel', 'whatsapp', '--business', 'b'])).err.join('\n')).toContain('--waba is required');
    expect((await run(['register', '--account', '1', '--channel', 'messenger', '--business', 'b', '--throughput', '-3'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });

  it('offboards an account (kept, no longer served) and refuses an unknown one', async () => {
    await run(['register', '--account', '100000000000903', '--channel', 'messenger', '--business', 'acme']);
    expect((await run(['offboard', '--account', '100000000000903'])).code).toBe(0);
    expect(await getChannelAccount(table.db, table.tableName, '100000000000903', { consistentRead: true })).toMatchObject({
      status: 'offboarded',
      businessId: 'acme',
    });
    const unknown = await run(['offboard', '--account', '999']);
    expect(unknown.code).toBe(1);
    expect(unknown.err.join('\n')).toContain('not registered');
    // Registering it again serves it again.
    await run(['register', '--account', '100000000000903', '--channel', 'messenger', '--business', 'acme']);
    expect((await getChannelAccount(table.db, table.tableName, '100000000000903', { consistentRead: true }))?.status).toBe('active');
  });
});
