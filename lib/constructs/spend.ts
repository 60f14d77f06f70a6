import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { auditPk } from '#lambdas/identity/audit-trail';
import { OPERATOR_SCOPES } from '#lambdas/identity/operator-scopes';
import { SPEND_ROUTES } from '#lambdas/pricing/api/spend-api-contract';
import { SPEND_PK_PREFIX } from '#lambdas/pricing/spend-keys';
import { accountPk } from '#lambdas/conversation/table-keys';
import { DETAIL_TYPE, ENV, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { EventConsumer } from '#lib/constructs/event-consumer';
import type { OperatorIdentity } from '#lib/constructs/operator-identity';
import { addOperatorRoutes } from '#lib/constructs/operator-routes';
import type { Storage } from '#lib/constructs/storage';
import { SupportFunction } from '#lib/constructs/support-function';
import type { Stage } from '#lib/stage';

/**
 * What the spend-outcomes consumer counts: a person's close with a resolved outcome and the bot's
 * resolved end. The detail filters keep every other close off its queue.
 */
export const SPEND_OUTCOMES_EVENT_PATTERN = {
  $or: [
    { source: [EVENT_SOURCE.humanAgent], 'detail-type': [DETAIL_TYPE.conversationClosed], detail: { outcome: ['resolved', 'converted'] } },
    { source: [EVENT_SOURCE.agent], 'detail-type': [DETAIL_TYPE.conversationEnded], detail: { outcome: ['resolved_by_bot'] } },
  ],
};

export interface SpendProps {
  readonly stage: Stage;
  readonly namePrefix: string;
  readonly api: apigwv2.HttpApi;
  readonly storage: Storage;
  readonly bus: events.IEventBus;
  readonly identity: OperatorIdentity;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Meta spend's own functions (docs/meta-pricing.md § Budgets): the spend API on the operators' HTTP
 * API (a month's summary, the monthly budget) and the consumer that counts resolved conversations
 * per month. Both may touch only `SPEND#` items (and the API its audit records): the grants name
 * those partition keys. The running totals themselves are written by the functions that price
 * receipts (normalizer, status tracking), with the table grants they already hold.
 */
export class Spend extends Construct {
  readonly api: SupportFunction;
  readonly routes: apigwv2.HttpRoute[];
  readonly outcomes: EventConsumer;

  constructor(scope: Construct, id: string, props: SpendProps) {
    super(scope, id);
    const table = props.storage.table.tableArn;
    const leadingKeys = (prefixes: string[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes } });

    this.api = new SupportFunction(this, 'Api', {
      logicalId: 'SpendApiFunction',
      handler: 'spend-api',
      description: "A business's Meta spend this month (by category, country, day, number) and its monthly budget",
      serviceName: 'spend-api',
      stage: props.stage,
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: { [ENV.tableName]: props.storage.table.tableName, [ENV.eventBusName]: props.bus.eventBusName },
      logRemovalPolicy: props.removalPolicy,
    });
    this.api.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSpend',
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
        resources: [table],
        conditions: leadingKeys([`${SPEND_PK_PREFIX}*`]),
      }),
    );
    this.api.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteBudgetAndAudit',
        actions: ['dynamodb:PutItem'],
        resources: [table],
        conditions: leadingKeys([`${SPEND_PK_PREFIX}*`, `${auditPk('')}*`]),
      }),
    );
    // The audit trail's `operator.action` events.
    props.bus.grantPutEventsTo(this.api.role);
    this.routes = addOperatorRoutes(this, {
      api: props.api,
      identity: props.identity,
      scope: OPERATOR_SCOPES.admin,
      routes: Object.values(SPEND_ROUTES),
      handler: this.api,
    });

    this.outcomes = new EventConsumer(this, 'Outcomes', {
      name: 'SpendOutcomes',
      queueSlug: 'spend-outcomes',
      namePrefix: props.namePrefix,
      stage: props.stage,
      bus: props.bus,
      sources: [...new Set(SPEND_OUTCOMES_EVENT_PATTERN.$or.flatMap((p) => p.source))],
      detailTypes: [...new Set(SPEND_OUTCOMES_EVENT_PATTERN.$or.flatMap((p) => p['detail-type']))],
      handler: 'spend-outcomes',
      description: 'Counts the conversations resolved each month per business (spend per resolved conversation)',
      serviceName: 'spend-outcomes',
      memorySize: 256,
      timeout: Duration.seconds(30),
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(5),
      environment: { [ENV.tableName]: props.storage.table.tableName },
      logRemovalPolicy: props.removalPolicy,
    });
    const rule = this.outcomes.rule.node.defaultChild as events.CfnRule;
    // Exact pairs with detail filters instead of the construct's two lists (an override merges: remove those).
    rule.addPropertyDeletionOverride('EventPattern.source');
    rule.addPropertyDeletionOverride('EventPattern.detail-type');
    rule.addPropertyOverride('EventPattern.$or', SPEND_OUTCOMES_EVENT_PATTERN.$or);
    const role = this.outcomes.handler.role;
    // The account registry, for the business of the conversation's account.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAccountRegistry',
        actions: ['dynamodb:GetItem'],
        resources: [table],
        conditions: leadingKeys([`${accountPk('')}*`]),
      }),
    );
    // The mark and the month's count; DeleteItem takes a mark back when its count failed.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CountResolved',
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [table],
        conditions: leadingKeys([`${SPEND_PK_PREFIX}*`]),
      }),
    );
  }

  get queue() {
    return this.outcomes.queue;
  }

  get deadLetterQueue() {
    return this.outcomes.deadLetterQueue;
  }
}
