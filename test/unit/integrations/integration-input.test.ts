import { describe, expect, it } from 'vitest';
import { INTEGRATION_EVENTS, integrationInputSchema } from '#lambdas/integrations/integration-model';

const input = (events: unknown) => ({
  kind: 'webhook',
  name: 'Orders backend',
  baseUrl: 'https://hooks.acme.example/omnichannel',
  auth: { type: 'api_key', headerName: 'X-Api-Key', apiKey: 'k' },
  events,
});

describe('integrationInputSchema: the events an admin subscribes', () => {
  it('keeps each event once, in the order given', () => {
    const parsed = integrationInputSchema.parse(input(['conversation.closed', 'message.received', 'conversation.closed']));
    expect(parsed.events).toEqual(['conversation.closed', 'message.received']);
  });

  it('refuses an unbounded list (it is stored on the config item and would exceed DynamoDB’s item size: a 500, not a 400)', () => {
    expect(integrationInputSchema.safeParse(input(Array.from({ length: 100_000 }, () => 'message.received'))).success).toBe(false);
    expect(integrationInputSchema.safeParse(input([...INTEGRATION_EVENTS])).success).toBe(true);
  });
});
