import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { STATE_SYNC_TOPIC } from '#lambdas/accounts/business-app-contacts';
import { INTEGRATIONS_ENV } from '#lambdas/integrations/integrations-env';
import { DETAIL_TYPE, ENV, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { EventConsumer } from '#lib/constructs/event-consumer';
import { READ_WRITE_ITEM_ACTIONS, type Storage } from '#lib/constructs/storage';
import type { Stage } from '#lib/stage';

/**
 * What the contacts consumer reads: customers' messages (not the business's echoes or imported
 * history), the WhatsApp Business App's address-book syncs (no other notification), and the
 * agent's consent decisions. Exact source / detail-type pairs with their detail filters, so the
 * queue carries nothing it would only throw away.
 */
export const CONTACTS_EVENT_PATTERN = {
  $or: [
    { source: [EVENT_SOURCE.normalizer], 'detail-type': [DETAIL_TYPE.messageReceived], detail: { origin: ['customer'] } },
    { source: [EVENT_SOURCE.normalizer], 'detail-type': [DETAIL_TYPE.notificationReceived], detail: { topic: [STATE_SYNC_TOPIC] } },
    { source: [EVENT_SOURCE.agent], 'detail-type': [DETAIL_TYPE.consentWithdrawn, DETAIL_TYPE.consentGiven] },
  ],
};

export interface ContactsProps {
  readonly stage: Stage;
  readonly namePrefix: string;
  readonly bus: events.IEventBus;
  readonly storage: Storage;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The contacts consumer: a rule on the bus feeds the `contacts` queue (with its dead-letter queue),
 * whose function keeps one contact per customer of each business (lambdas/handlers/contacts.ts,
 * docs/contacts.md). It reads and writes the table and publishes `contact.created` / `contact.updated`;
 * its CRM look-up reads the integrations' secrets (granted by the Integrations construct).
 */
export class Contacts extends Construct {
  readonly consumer: EventConsumer;

  constructor(scope: Construct, id: string, props: ContactsProps) {
    super(scope, id);
    this.consumer = new EventConsumer(this, 'Consumer', {
      name: 'Contacts',
      queueSlug: 'contacts',
      namePrefix: props.namePrefix,
      stage: props.stage,
      bus: props.bus,
      sources: [...new Set(CONTACTS_EVENT_PATTERN.$or.flatMap((p) => p.source))],
      detailTypes: [...new Set(CONTACTS_EVENT_PATTERN.$or.flatMap((p) => p['detail-type']))],
      handler: 'contacts',
      description: 'Keeps one contact per customer of each business: identities, name, consent, first touch, CRM look-up',
      serviceName: 'contacts',
      memorySize: 256,
      // A CRM look-up is bounded at a second; the rest is a handful of table reads and writes.
      timeout: Duration.seconds(30),
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(1),
      environment: {
        [ENV.tableName]: props.storage.table.tableName,
        [ENV.eventBusName]: props.bus.eventBusName,
        // The CRM look-up calls the endpoints admins chose; only the local cloud may call loopback ones.
        [INTEGRATIONS_ENV.allowLoopback]: props.stage === 'local' ? 'true' : 'false',
      },
      logRemovalPolicy: props.removalPolicy,
    });
    // Exact pairs with detail filters instead of the construct's two lists (see above).
    const rule = this.consumer.rule.node.defaultChild as events.CfnRule;
    rule.addPropertyOverride('EventPattern', CONTACTS_EVENT_PATTERN);
    props.storage.grantItemActions(this.consumer.handler.role, READ_WRITE_ITEM_ACTIONS);
    props.bus.grantPutEventsTo(this.consumer.handler.role);
  }

  get queue() {
    return this.consumer.queue;
  }

  get deadLetterQueue() {
    return this.consumer.deadLetterQueue;
  }
}
