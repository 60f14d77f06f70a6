import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { ENV } from '#lambdas/shared/event-contract';
import type { Storage } from '#lib/constructs/storage';
import { SupportFunction } from '#lib/constructs/support-function';
import { setLogicalId } from '#lib/logical-id';
import type { Stage } from '#lib/stage';

/** Every quarter of an hour: the end-watch buckets are quarter-hours (lambdas/conversation-end/end-watch-keys.ts). */
export const BOT_CONVERSATION_END_SCHEDULE = 'rate(15 minutes)';

export interface BotConversationEndProps {
  readonly stage: Stage;
  readonly bus: events.IEventBus;
  readonly storage: Storage;
  readonly removalPolicy: RemovalPolicy;
  /**
   * When the sweep runs (EventBridge Scheduler expression).
   * @default rate(15 minutes)
   */
  readonly schedule?: string;
}

/**
 * The end of conversations the bot alone holds: EventBridge Scheduler starts the sweep every quarter
 * of an hour; it reads the quarter-hour buckets the agent filled (one small item per customer
 * message), ends the conversations left quiet for their business's end hours with an outcome, and
 * publishes `conversation.ended` (docs/routing.md, "Outcomes"). Nothing is sent to customers.
 *
 * A schedule rather than a timer per conversation: SQS holds a message 15 minutes at most, so a
 * 24-hour timer would be a chain of 96 sends and receives per conversation; the sweep costs the
 * same few reads whether a thousand conversations or none are due, and a missed run is caught up
 * from its cursor. Locally the same schedule runs in lib/local-cloud/scheduled-invocations.ts.
 */
export class BotConversationEnd extends Construct {
  readonly sweep: SupportFunction;
  readonly schedulerRole: iam.Role;
  readonly schedule: scheduler.CfnSchedule;

  constructor(scope: Construct, id: string, props: BotConversationEndProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.sweep = new SupportFunction(this, 'Sweep', {
      logicalId: 'BotConversationEndFunction',
      handler: 'bot-conversation-end',
      description:
        'Ends conversations the bot alone held once the customer has been quiet for the business end hours; writes the outcome and publishes conversation.ended',
      stage: props.stage,
      serviceName: 'bot-conversation-end',
      memorySize: 256,
      // A quarter's bucket is four queries and, per due conversation, two reads and two writes, ten
      // conversations at a time; short of time, the sweep stops and the next run goes on from its cursor.
      timeout: Duration.seconds(60),
      environment: {
        [ENV.tableName]: props.storage.table.tableName,
        [ENV.eventBusName]: props.bus.eventBusName,
      },
      logRemovalPolicy: props.removalPolicy,
    });
    props.storage.grantItemActions(this.sweep.role, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    props.bus.grantPutEventsTo(this.sweep.role);

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Starts the end-of-conversation sweep',
    });
    setLogicalId(this.schedulerRole, 'BotConversationEndSchedulerRole');
    // This one function, no version or alias wildcard.
    this.schedulerRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.sweep.function.functionArn] }));

    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: 'End-of-conversation sweep: outcomes for conversations the bot alone held',
      scheduleExpression: props.schedule ?? BOT_CONVERSATION_END_SCHEDULE,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.sweep.function.functionArn,
        roleArn: this.schedulerRole.roleArn,
        input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        // A run that fails is caught up by the next one (the cursor); a couple of quick retries suffice.
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 600 },
      },
    });
    setLogicalId(this.schedule, 'BotConversationEndSchedule');
  }
}
