import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { setLogicalId } from '#lib/logical-id';

export interface EventBackboneProps {
  /** Prefix of physical names, e.g. `Omnichannel-dev`. */
  readonly namePrefix: string;
  readonly archiveRetention?: Duration;
}

/**
 * The custom bus every domain event goes through, with an archive of everything published on it so
 * a consumer fixed after an incident can be fed the events it missed (EventBridge replay).
 */
export class EventBackbone extends Construct {
  readonly bus: events.EventBus;
  /** The bus's name as a plain string (IAM patterns that name rules on it need it before deployment). */
  readonly busName: string;
  readonly archive: events.Archive;

  constructor(scope: Construct, id: string, props: EventBackboneProps) {
    super(scope, id);

    this.busName = `${props.namePrefix}-events`;
    this.bus = new events.EventBus(this, 'EventBus', {
      eventBusName: this.busName,
      description: 'Domain events of the omnichannel support pipeline',
    });
    setLogicalId(this.bus, 'EventBus');

    this.archive = new events.Archive(this, 'EventArchive', {
      sourceEventBus: this.bus,
      description: 'Every event on the bus, for replay',
      // Events on this bus are all published by our own account.
      eventPattern: { account: [Stack.of(this).account] },
      retention: props.archiveRetention ?? Duration.days(30),
    });
    setLogicalId(this.archive, 'EventArchive');
  }
}
