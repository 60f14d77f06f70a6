import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routingConfigStore } from '#lambdas/routing/config/routing-config-store';
import { DEMO_AGENTS, DEMO_MACROS } from '#lib/local-cloud/demo-routing';
import { defaultLocalTenants, seedLocalTenants } from '#lib/local-cloud/local-tenants';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

let table: TestTable & { newTable(): Promise<string> };
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());

describe('the demo contact centre of the local business', () => {
  it('is seeded with two queues, three agents, the VIP and complaints rules and two macros, once', async () => {
    const tableName = await table.newTable();
    const store = routingConfigStore({ db: table.db, tableName });
    const seed = () => seedLocalTenants({ db: table.db, tableName, secretNamePrefix: 'S', putSecret: () => {}, tenants: defaultLocalTenants('token') });
    await seed();

    const config = await store.loadConfig('local');
    expect(config.queues.map((q) => [q.queueId, q.priority, q.sla.firstResponseSeconds])).toEqual([
      ['general', 50, 300],
      ['vip', 90, 120],
    ]);
    expect(config.agents.map((a) => [a.agentId, a.languages, a.maxConcurrent, a.presence])).toEqual([
      ['ana', ['es', 'pt'], 3, 'offline'],
      ['bruno', ['pt', 'en'], 3, 'offline'],
      ['carla', ['es', 'en'], 3, 'offline'],
    ]);
    expect(config.rules).toMatchObject({
      defaultQueueId: 'general',
      rules: [
        { ruleId: 'vip-customers', when: { tags: ['vip'] }, then: { queueId: 'vip', priority: 90 } },
        { ruleId: 'complaints', when: { reasons: ['complaint'] }, then: { queueId: 'general', priority: 80 } },
      ],
    });
    const macros = await store.listMacros('local');
    expect(macros.map((m) => m.macroId).sort()).toEqual(DEMO_MACROS.map((m) => m.macroId).sort());
    for (const m of macros) expect(Object.keys(m.texts).sort()).toEqual(['en', 'es', 'pt']);
    expect(DEMO_AGENTS.map((a) => a.agentId)).toEqual(['ana', 'bruno', 'carla']);

    // An admin's change survives a restart of the local cloud (a kept data path).
    await store.putAgent('local', { agentId: 'ana', name: 'Ana', languages: ['es'] }, { actor: 'admin' });
    await seed();
    const again = await store.loadConfig('local');
    expect(again.agents.find((a) => a.agentId === 'ana')).toMatchObject({ languages: ['es'], version: 2 });
    expect(again.rules?.version).toBe(1);
    expect(again.queues.map((q) => q.version)).toEqual([1, 1]);
  });
});
