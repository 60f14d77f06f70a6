import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OperatorRole } from '#lambdas/identity/operator-identity';
import { runRoutingCommand } from '#lib/operations/routing-command';
import { LocalCloudHarness } from '#test/e2e/local-cloud-harness';

const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);

beforeAll(async () => {
  await harness.start();
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

/** `npm run routing` against the local cloud, as a person of the given role in the business `local`. */
async function routing(role: OperatorRole, ...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runRoutingCommand(
    [...argv, '--api', harness.cloud.apiUrl],
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    {
      token: () => harness.operatorToken({ businessId: 'local', subject: `${role}-cli`, roles: [role] }),
    },
  );
  return { code, out, err };
}

describe('routing configuration through the local cloud', () => {
  it("lists the demo business's agents and queues, and lets an admin add an agent that starts offline", async () => {
    const agents = await routing('admin', 'list', 'agents', '--business', 'local');
    expect(agents.code, agents.err.join('\n')).toBe(0);
    expect(agents.out.map((l) => l.split('  ')[0])).toEqual(['ana', 'bruno', 'carla']);
    const queues = await routing('supervisor', 'list', 'queues', '--business', 'local');
    expect(queues.out.map((l) => l.split('  ')[0])).toEqual(['general', 'vip']);

    const put = await routing('admin', 'put', 'agent', '--business', 'local', '--id', 'dani', '--name', 'Dani', '--languages', 'es,en', '--max', '2');
    expect(put.code, put.err.join('\n')).toBe(0);
    const shown = await routing('supervisor', 'show', 'agent', 'dani', '--business', 'local');
    expect(JSON.parse(shown.out.join('\n'))).toMatchObject({ agentId: 'dani', presence: 'offline', maxConcurrent: 2, version: 1 });
  });

  it("refuses a supervisor's change, deleting a queue a rule names, and another business, with the reason", async () => {
    const supervisor = await routing('supervisor', 'delete', 'macro', 'closing', '--business', 'local');
    expect(supervisor.code).toBe(1);
    expect(supervisor.err[0]).toMatch(/HTTP 403, forbidden/);
    const inUse = await routing('admin', 'delete', 'queue', 'vip', '--business', 'local');
    expect(inUse.err[0]).toMatch(/HTTP 409, queue_in_use.*vip-customers/);
    const other = await routing('admin', 'list', 'agents', '--business', 'acme');
    expect(other.err[0]).toMatch(/HTTP 403, other_business/);
  });
});
