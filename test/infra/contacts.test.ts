import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '#lambdas/shared/event-contract';
import { CONTACTS_EVENT_PATTERN } from '#lib/constructs/contacts';
import { actionsOf, environmentOf, statementsGranting, statementsOfRole, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

describe('contacts consumer', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev', nag: false });
  });

  it("is fed customer messages, address-book syncs and the agent's consent decisions, through a queue with a dead-letter queue on the redrive list", () => {
    const rule = synth.json.Resources['ContactsRule']!;
    // The construct's two lists with the exact pairs (and their detail filters) over them.
    const pattern = rule.Properties?.['EventPattern'] as { $or: unknown[]; source: string[]; 'detail-type': string[] };
    expect(pattern.$or).toEqual(CONTACTS_EVENT_PATTERN.$or);
    expect(pattern.source.sort()).toEqual(['io.omnichannel.agent', 'io.omnichannel.normalizer']);
    expect(pattern['detail-type'].sort()).toEqual(['consent.given', 'consent.withdrawn', 'message.received', 'notification.received']);
    expect(JSON.stringify(CONTACTS_EVENT_PATTERN)).toContain('"origin":["customer"]');
    expect(JSON.stringify(CONTACTS_EVENT_PATTERN)).toContain('"topic":["whatsapp.smb_app_state_sync"]');
    expect(JSON.stringify(CONTACTS_EVENT_PATTERN)).toContain('consent.given');
    const targets = rule.Properties?.['Targets'] as Array<{ Arn: unknown; DeadLetterConfig?: { Arn: unknown } }>;
    expect(targets[0]!.Arn).toEqual({ 'Fn::GetAtt': ['ContactsQueue', 'Arn'] });
    expect(targets[0]!.DeadLetterConfig?.Arn).toEqual({ 'Fn::GetAtt': ['ContactsDeadLetterQueue', 'Arn'] });
    expect(synth.json.Resources['ContactsQueue']!.Properties).toMatchObject({
      QueueName: 'Omnichannel-dev-contacts',
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['ContactsDeadLetterQueue', 'Arn'] } },
    });
    expect(synth.stack.redrivableQueues.map((q) => q.name)).toContain('Contacts');
    expect(synth.json.Resources['ContactsDeadLetterQueueAlarm']).toBeDefined();
  });

  it("reads and conditionally writes the table item by item, publishes on the bus, and reads only the integrations' secrets", () => {
    const env = environmentOf(synth.json, 'ContactsFunction');
    expect(env[ENV.tableName]).toEqual({ Ref: 'Table' });
    expect(env[ENV.eventBusName]).toBeDefined();
    const actions = new Set(actionsOf(statementsOfRole(synth.json, 'ContactsFunctionRole')));
    expect([...actions].filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(statementsGranting(statementsOfRole(synth.json, 'ContactsFunctionRole'), 'events:PutEvents')).toHaveLength(1);
    expect([...actions].some((a) => a === 'dynamodb:Scan' || a === 'dynamodb:DeleteItem')).toBe(false);
    const secrets = statementsGranting(statementsOfRole(synth.json, 'ContactsFunctionRole'), 'secretsmanager:GetSecretValue');
    expect(secrets).toHaveLength(1);
    expect(JSON.stringify(secrets[0]!.Resource)).toContain('Omnichannel-dev/integrations/*');
    expect(env['INTEGRATIONS_ALLOW_LOOPBACK']).toBe('false');
  });
});
