import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RoutingConfigAdmin } from '#lambdas/routing/config/routing-config-admin';
import { routingConfigStore } from '#lambdas/routing/config/routing-config-store';
import { agentSk, routingPk, waitingPk } from '#lambdas/routing/routing-keys';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { type AgentEngineState, inMemoryRoutingConfig } from '#test/helpers/in-memory-routing-config';
import { RoutingConfigError } from '#lambdas/routing/errors';

let table: TestTable & { newTable(): Promise<string> };
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());

interface Subject {
  store: RoutingConfigAdmin;
  /** Writes what the routing engine keeps on an agent item. */
  engine(businessId: string, agentId: string, state: AgentEngineState): Promise<void>;
}

const subjects: Array<[string, () => Promise<Subject>]> = [
  [
    'in memory',
    async () => {
      const store = inMemoryRoutingConfig();
      return { store, engine: async (b, a, s) => store.setAgentState(b, a, s) };
    },
  ],
  [
    'DynamoDB',
    async () => {
      const tableName = await table.newTable();
      const store = routingConfigStore({ db: table.db, tableName });
      return {
        store,
        engine: async (b, a, s) => {
          const names: Record<string, string> = {};
          const values: Record<string, unknown> = {};
          const sets = Object.entries(s).map(([k, v]) => {
            names[`#${k}`] = k;
            values[`:${k}`] = k === 'activeConversationKeys' ? new Set(v as string[]) : v;
            return `#${k} = :${k}`;
          });
          await table.db.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { pk: routingPk(b), sk: agentSk(a) },
              UpdateExpression: `SET ${sets.join(', ')}`,
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            }),
          );
        },
      };
    },
  ],
];

const general = { queueId: 'general', name: 'General', sla: { firstResponseSeconds: 300 } };
const vip = { queueId: 'vip', name: 'VIP', priority: 90, sla: { firstResponseSeconds: 120 } };
const ana = { agentId: 'ana', name: 'Ana', languages: ['es', 'pt'] };
const actor = { actor: 'admin@shop' };

async function refusal(p: Promise<unknown>): Promise<RoutingConfigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RoutingConfigError);
  return err as RoutingConfigError;
}

describe.each(subjects)('routing configuration store (%s)', (_name, make) => {
  let s: Subject;
  beforeEach(async () => {
    s = await make();
  });

  it('creates an agent offline with defaults, and keeps presence and load across admin saves', async () => {
    const created = await s.store.putAgent('shop', ana, { ...actor, now: new Date('2025-01-01T10:00:00Z') });
    expect(created).toMatchObject({
      businessId: 'shop',
      agentId: 'ana',
      skills: [],
      channels: ['whatsapp', 'instagram', 'messenger'],
      maxConcurrent: 3,
      presence: 'offline',
      presenceChangedAt: '2025-01-01T10:00:00.000Z',
      activeConversationKeys: [],
      version: 1,
    });
    await s.engine('shop', 'ana', {
      presence: 'online',
      presenceChangedAt: '2025-01-01T10:05:00.000Z',
      activeConversationKeys: ['wa:2:b', 'wa:1:a'],
      lastActivityAt: '2025-01-01T10:06:00.000Z',
    });
    const edited = await s.store.putAgent('shop', { ...ana, name: 'Ana María', maxConcurrent: 5 }, { ...actor, expectedVersion: 1 });
    expect(edited).toMatchObject({
      name: 'Ana María',
      maxConcurrent: 5,
      presence: 'online',
      presenceChangedAt: '2025-01-01T10:05:00.000Z',
      activeConversationKeys: ['wa:1:a', 'wa:2:b'],
      lastActivityAt: '2025-01-01T10:06:00.000Z',
      version: 2,
    });
    expect(await s.store.getAgent('shop', 'ana')).toEqual(edited);
    expect((await s.store.loadConfig('shop')).agents).toEqual([edited]);
  });

  it('refuses to delete an agent with conversations (agent_busy), then deletes once free', async () => {
    await s.store.putAgent('shop', ana, actor);
    await s.engine('shop', 'ana', { activeConversationKeys: ['wa:1:a'] });
    expect((await refusal(s.store.deleteAgent('shop', 'ana'))).code).toBe('agent_busy');
    expect(await s.store.getAgent('shop', 'ana')).toBeDefined();
    await s.store.putAgent('shop', { ...ana, agentId: 'bruno', name: 'Bruno' }, actor);
    await s.store.deleteAgent('shop', 'bruno');
    expect(await s.store.getAgent('shop', 'bruno')).toBeUndefined();
    expect((await refusal(s.store.deleteAgent('shop', 'bruno'))).code).toBe('not_found');
  });

  it('refuses a save made from a stale version, and a first save over an existing item', async () => {
    await s.store.putAgent('shop', ana, actor);
    await s.store.putAgent('shop', ana, actor);
    const stale = await refusal(s.store.putAgent('shop', ana, { ...actor, expectedVersion: 1 }));
    expect(stale).toMatchObject({ code: 'version_conflict', details: { currentVersion: 2 } });
    expect((await refusal(s.store.putAgent('shop', ana, { ...actor, expectedVersion: 0 }))).code).toBe('version_conflict');

    await s.store.putQueue('shop', general, actor);
    expect((await refusal(s.store.putQueue('shop', general, { ...actor, expectedVersion: 0 }))).details.currentVersion).toBe(1);
    expect((await s.store.putQueue('shop', general, { ...actor, expectedVersion: 1 })).version).toBe(2);

    await s.store.putMacro('shop', { macroId: 'hi', name: 'Hi', texts: { en: 'Hi' } }, actor);
    expect((await refusal(s.store.putMacro('shop', { macroId: 'hi', name: 'Hi', texts: { en: 'Hi' } }, { ...actor, expectedVersion: 3 }))).code).toBe(
      'version_conflict',
    );
  });

  it('versions the rules, refuses a stale save, and checks that every queue they name exists', async () => {
    await s.store.putQueue('shop', general, actor);
    const rulesInput = { rules: [{ ruleId: 'vip', when: { tags: ['VIP'] }, then: { queueId: 'vip', priority: 90 } }], defaultQueueId: 'general' };
    const unknown = await refusal(s.store.putRules('shop', rulesInput, { ...actor, expectedVersion: 0 }));
    expect(unknown.code).toBe('unknown_queue');
    expect(unknown.message).toContain('rules.0.then.queueId: no queue vip');
    expect(await s.store.getRules('shop')).toBeUndefined();

    await s.store.putQueue('shop', vip, actor);
    const saved = await s.store.putRules('shop', rulesInput, { ...actor, expectedVersion: 0 });
    expect(saved).toMatchObject({ businessId: 'shop', version: 1, defaultQueueId: 'general', rules: [{ ruleId: 'vip', when: { tags: ['vip'] } }] });
    expect(await s.store.getRules('shop')).toEqual(saved);
    expect((await s.store.putRules('shop', rulesInput, actor)).version).toBe(2);
    expect(await refusal(s.store.putRules('shop', rulesInput, { ...actor, expectedVersion: 1 }))).toMatchObject({
      code: 'version_conflict',
      details: { currentVersion: 2 },
    });
    expect((await s.store.loadConfig('shop')).rules?.version).toBe(2);
  });

  it('refuses to delete a queue named by a rule, the default or an overflow, with the reason', async () => {
    await s.store.putQueue('shop', general, actor);
    await s.store.putQueue('shop', vip, actor);
    await s.store.putQueue('shop', { queueId: 'night', name: 'Night', sla: { firstResponseSeconds: 600 } }, actor);
    await s.store.putRules('shop', { rules: [{ ruleId: 'to-vip', when: { tags: ['vip'] }, then: { queueId: 'vip' } }], defaultQueueId: 'general' }, actor);
    await s.store.putQueue('shop', { ...vip, overflowQueueId: 'night' }, actor);

    const byRule = await refusal(s.store.deleteQueue('shop', 'vip'));
    expect(byRule).toMatchObject({ code: 'queue_in_use' });
    expect(byRule.message).toContain('to-vip');
    expect((await refusal(s.store.deleteQueue('shop', 'general'))).message).toContain('default queue');
    const byOverflow = await refusal(s.store.deleteQueue('shop', 'night'));
    expect(byOverflow.message).toContain('vip overflow into it');

    // The overflow moves: the old target is free, the new one is held.
    await s.store.putQueue('shop', { ...vip, overflowQueueId: 'general' }, actor);
    await s.store.deleteQueue('shop', 'night');
    expect(await s.store.getQueue('shop', 'night')).toBeUndefined();
    expect((await refusal(s.store.deleteQueue('shop', 'night'))).code).toBe('not_found');

    // Once nothing names vip, it goes, and general is no longer held by its overflow.
    await s.store.putRules('shop', { rules: [], defaultQueueId: 'general' }, actor);
    await s.store.deleteQueue('shop', 'vip');
    expect((await s.store.loadConfig('shop')).queues.map((q) => q.queueId)).toEqual(['general']);
    await s.store.putRules('shop', { rules: [], defaultQueueId: 'general' }, actor);
    expect((await refusal(s.store.deleteQueue('shop', 'general'))).message).toContain('default queue');
  });

  it('refuses an overflow queue that does not exist, or the queue itself', async () => {
    expect(await refusal(s.store.putQueue('shop', { ...vip, overflowQueueId: 'nowhere' }, actor))).toMatchObject({
      code: 'unknown_queue',
      message: 'overflowQueueId: no queue nowhere in this business',
    });
    expect(await s.store.getQueue('shop', 'vip')).toBeUndefined();
    expect((await refusal(s.store.putQueue('shop', { ...vip, overflowQueueId: 'vip' }, actor))).code).toBe('invalid');
  });

  it('keeps optional queue settings only while given', async () => {
    const hours = { timezone: 'America/Mexico_City', weekly: { mon: [{ from: '08:00', to: '20:00' }] }, holidays: ['2025-12-25'] };
    await s.store.putQueue('shop', general, actor);
    await s.store.putQueue('shop', { ...vip, hours, overflowQueueId: 'general', sla: { firstResponseSeconds: 120, resolutionSeconds: 3600 } }, actor);
    expect(await s.store.getQueue('shop', 'vip')).toMatchObject({
      hours,
      overflowQueueId: 'general',
      sla: { resolutionSeconds: 3600, warnAtShare: 0.8 },
      version: 1,
    });
    const plain = await s.store.putQueue('shop', vip, actor);
    const read = await s.store.getQueue('shop', 'vip');
    expect(read).toEqual(plain);
    expect(read).not.toHaveProperty('hours');
    expect(read).not.toHaveProperty('overflowQueueId');
    expect(read?.sla).toEqual({ firstResponseSeconds: 120, warnAtShare: 0.8 });
  });

  it('names the field of invalid input and writes nothing', async () => {
    expect((await refusal(s.store.putAgent('shop', { ...ana, languages: ['fr'] }, actor))).message).toMatch(/^languages\.0: /);
    expect((await refusal(s.store.putAgent('shop', { ...ana, agentId: 'a#b' }, actor))).message).toMatch(/^agentId: /);
    expect((await refusal(s.store.putAgent('shop', { ...ana, role: 'admin' }, actor))).code).toBe('invalid');
    expect((await refusal(s.store.putQueue('shop', { ...general, sla: { firstResponseSeconds: 0 } }, actor))).message).toMatch(/^sla\.firstResponseSeconds: /);
    expect((await refusal(s.store.putMacro('shop', { macroId: 'm', name: 'M', texts: {} }, actor))).message).toMatch(/^texts: at least one language/);
    const dup = {
      rules: [
        { ruleId: 'a', then: { queueId: 'general' } },
        { ruleId: 'a', then: { queueId: 'general' } },
      ],
      defaultQueueId: 'general',
    };
    expect((await refusal(s.store.putRules('shop', dup, actor))).message).toMatch(/^rules\.1\.ruleId: /);
    expect((await refusal(s.store.listAgents('shop#x'))).code).toBe('invalid');
    expect((await refusal(s.store.getAgent('shop', 'x'.repeat(200)))).code).toBe('invalid');
    expect((await s.store.loadConfig('shop')).agents).toEqual([]);
  });

  it('refuses rules larger than one item can hold', async () => {
    await s.store.putQueue('shop', general, actor);
    const big = {
      rules: Array.from({ length: 200 }, (_, i) => ({
        ruleId: `r${i}`,
        when: { reasons: Array.from({ length: 40 }, (_, j) => `reason-${j}-${'x'.repeat(40)}`) },
        then: { queueId: 'general' },
      })),
      defaultQueueId: 'general',
    };
    expect((await refusal(s.store.putRules('shop', big, actor))).message).toMatch(/^rules: at most/);
  });

  it('pages agents, queues and macros, and refuses a forged cursor', async () => {
    for (const id of ['a1', 'a2', 'a3', 'a4', 'a5']) await s.store.putAgent('shop', { ...ana, agentId: id }, actor);
    await s.store.putAgent('other', { ...ana, agentId: 'z9' }, actor);
    const first = await s.store.listAgents('shop', { limit: 2 });
    expect(first.items.map((a) => a.agentId)).toEqual(['a1', 'a2']);
    const second = await s.store.listAgents('shop', { limit: 2, cursor: first.cursor! });
    expect(second.items.map((a) => a.agentId)).toEqual(['a3', 'a4']);
    const third = await s.store.listAgents('shop', { limit: 2, cursor: second.cursor! });
    expect(third.items.map((a) => a.agentId)).toEqual(['a5']);
    expect((await s.store.listAgents('shop', { limit: 10 })).items).toHaveLength(5);
    expect((await refusal(s.store.listAgents('shop', { cursor: Buffer.from('QUEUE#x').toString('base64url') }))).code).toBe('invalid');
    expect((await refusal(s.store.listAgents('shop', { cursor: '!!' }))).code).toBe('invalid');

    await s.store.putQueue('shop', general, actor);
    await s.store.putQueue('shop', vip, actor);
    expect((await s.store.listQueues('shop', { limit: 1 })).items.map((q) => q.queueId)).toEqual(['general']);
    await s.store.putMacro('shop', { macroId: 'bye', name: 'Bye', texts: { es: 'Adiós' } }, actor);
    await s.store.putMacro('shop', { macroId: 'hi', name: 'Hi', texts: { es: 'Hola {first_name}' }, addTags: ['Greeted'] }, actor);
    const macros = await s.store.listMacrosPage('shop', { limit: 1 });
    expect(macros.items.map((m) => m.macroId)).toEqual(['bye']);
    expect((await s.store.listMacrosPage('shop', { cursor: macros.cursor! })).items.map((m) => m.macroId)).toEqual(['hi']);
    expect(await s.store.getMacro('shop', 'hi')).toMatchObject({ texts: { es: 'Hola {first_name}' }, addTags: ['greeted'], version: 1 });
    expect((await s.store.listMacros('shop')).map((m) => m.macroId)).toEqual(['bye', 'hi']);
    await s.store.deleteMacro('shop', 'bye');
    expect((await refusal(s.store.deleteMacro('shop', 'bye'))).code).toBe('not_found');
  });

  it("keeps each business's configuration apart", async () => {
    await s.store.putQueue('shop', general, actor);
    await s.store.putAgent('shop', ana, actor);
    expect(await s.store.loadConfig('rival')).toEqual({ businessId: 'rival', agents: [], queues: [] });
    expect(await s.store.getAgent('rival', 'ana')).toBeUndefined();
    expect((await refusal(s.store.deleteAgent('rival', 'ana'))).code).toBe('not_found');
    expect((await refusal(s.store.putRules('rival', { rules: [], defaultQueueId: 'general' }, actor))).code).toBe('unknown_queue');
  });

  it("replaces a contact's tags, lower-cased and sorted, and clears them", async () => {
    const contact = { channel: 'whatsapp', customerId: '5215550001' };
    expect(await s.store.getContactTags('shop', contact)).toEqual([]);
    expect(await s.store.putContactTags('shop', contact, ['VIP', 'wholesale', 'vip'], actor)).toEqual(['vip', 'wholesale']);
    expect(await s.store.contactTags('shop', 'whatsapp', '5215550001')).toEqual(['vip', 'wholesale']);
    expect(await s.store.contactTags('shop', 'instagram', '5215550001')).toEqual([]);
    expect(await s.store.contactTags('rival', 'whatsapp', '5215550001')).toEqual([]);
    expect(await s.store.putContactTags('shop', contact, [], actor)).toEqual([]);
    expect(await s.store.getContactTags('shop', contact)).toEqual([]);
    expect((await refusal(s.store.putContactTags('shop', { channel: 'sms', customerId: '1' }, ['vip'], actor))).message).toMatch(/^channel: /);
    expect((await refusal(s.store.putContactTags('shop', { channel: 'whatsapp', customerId: 'a#b' }, ['vip'], actor))).message).toMatch(/^customerId: /);
    expect((await refusal(s.store.putContactTags('shop', contact, ['no spaces'], actor))).message).toMatch(/^tags\.0: /);
    expect(
      (
        await refusal(
          s.store.putContactTags(
            'shop',
            contact,
            Array.from({ length: 21 }, (_, i) => `t${i}`),
            actor,
          ),
        )
      ).code,
    ).toBe('invalid');
  });
});

describe('routing configuration store (DynamoDB only)', () => {
  it('refuses to delete a queue while conversations wait in it', async () => {
    const tableName = await table.newTable();
    const store = routingConfigStore({ db: table.db, tableName });
    await store.putQueue('shop', general, actor);
    await table.db.send(
      new PutCommand({ TableName: tableName, Item: { pk: 'CONV#wa:1:a', sk: 'CONV', gsi2pk: waitingPk('shop', 'general'), gsi2sk: '050#2025#wa:1:a' } }),
    );
    expect((await refusal(store.deleteQueue('shop', 'general'))).message).toContain('conversations are waiting');
  });

  it('stores the load as the string set the engine updates, and the admin fields only', async () => {
    const tableName = await table.newTable();
    const store = routingConfigStore({ db: table.db, tableName });
    await store.putAgent('shop', ana, actor);
    await table.db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: routingPk('shop'), sk: agentSk('ana') },
        UpdateExpression: 'ADD activeConversationKeys :k',
        ExpressionAttributeValues: { ':k': new Set(['wa:1:a']) },
      }),
    );
    await store.putAgent('shop', { ...ana, skills: ['billing'] }, actor);
    const item = (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: routingPk('shop'), sk: agentSk('ana') } }))).Item!;
    expect(item.activeConversationKeys).toEqual(new Set(['wa:1:a']));
    expect(item).toMatchObject({ entity: 'RoutingAgent', businessId: 'shop', skills: ['billing'], presence: 'offline', version: 2, updatedBy: 'admin@shop' });
    await table.db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: routingPk('shop'), sk: agentSk('ana') },
        UpdateExpression: 'DELETE activeConversationKeys :k',
        ExpressionAttributeValues: { ':k': new Set(['wa:1:a']) },
      }),
    );
    await store.deleteAgent('shop', 'ana');
    expect(await store.getAgent('shop', 'ana')).toBeUndefined();
  });
});
