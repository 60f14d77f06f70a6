import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphSimulator, startGraphSimulator } from '#lib/local-cloud/graph-simulator/index';
import { readConformanceJson } from '#test/helpers/conformance';
import { customerSays, FAST_STATUSES, graphPost } from './sim-test-kit';

const ACME = '100000000000711';
const GLOBEX = '100000000000811';
const OPEN = '100000000000911';

let sim: GraphSimulator;
beforeAll(async () => {
  sim = await startGraphSimulator({
    port: 0,
    statusDelaysMs: { ...FAST_STATUSES, read: false },
    whatsappNumbers: [ACME, GLOBEX, OPEN].map((id) => ({ phoneNumberId: id, wabaId: `2${id.slice(1)}`, displayPhoneNumber: id.slice(-11) })),
    accountTokens: { [ACME]: 'TOKEN-ACME', [GLOBEX]: 'TOKEN-GLOBEX' },
  });
  for (const accountId of [ACME, GLOBEX, OPEN]) {
    expect((await customerSays(sim, { channel: 'whatsapp', accountId, customerId: '15550000777', text: 'hi' })).status).toBe(200);
  }
});
afterAll(async () => sim?.close());

const text = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '15550000777', type: 'text', text: { body: 'hello' } };

describe('Graph simulator with tokens tied to accounts', () => {
  it('accepts a send with the account’s own token', async () => {
    expect((await graphPost(sim, `/v23.0/${ACME}/messages`, text, 'TOKEN-ACME')).status).toBe(200);
    expect((await graphPost(sim, `/v23.0/${GLOBEX}/messages`, text, 'TOKEN-GLOBEX')).status).toBe(200);
  });

  it("refuses another business's token with Meta's error 100/33 and records the refusal in the outbox", async () => {
    const refused = await graphPost(sim, `/v23.0/${ACME}/messages`, text, 'TOKEN-GLOBEX');
    expect(refused.status).toBe(400);
    const real = readConformanceJson('graph-api', 'bindambc-error-100-subcode-33.json');
    expect(Object.keys(refused.json.error).sort()).toEqual(Object.keys(real.error).sort());
    expect(refused.json.error).toMatchObject({ code: 100, error_subcode: 33, type: 'GraphMethodException' });
    expect(refused.json.error.message).toContain(`Object with ID '${ACME}' does not exist, cannot be loaded due to missing permissions`);
    const last = sim.outbox().at(-1)!;
    expect(last).toMatchObject({ method: 'POST', path: `/v23.0/${ACME}/messages`, status: 400 });
  });

  it('lets accounts without a configured token accept any token, as before', async () => {
    expect((await graphPost(sim, `/v23.0/${OPEN}/messages`, text, 'TOKEN-ACME')).status).toBe(200);
  });
});
