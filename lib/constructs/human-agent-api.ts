import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { HUMAN_AGENT_ROUTES } from '#lambdas/human-agent/human-agent-contract';
import { OPERATOR_SCOPES } from '#lambdas/identity/operator-scopes';
import { ENV } from '#lambdas/shared/event-contract';
import type { Stage } from '#lib/stage';
import { addOperatorRoutes } from '#lib/constructs/operator-routes';
import type { OperatorIdentity } from '#lib/constructs/operator-identity';
import { READ_WRITE_ITEM_ACTIONS, type Storage } from '#lib/constructs/storage';
import { SupportFunction } from '#lib/constructs/support-function';

export interface HumanAgentApiProps {
  readonly stage: Stage;
  readonly namePrefix: string;
  readonly api: apigwv2.HttpApi;
  readonly storage: Storage;
  readonly bus: events.IEventBus;
  readonly identity: OperatorIdentity;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The human agents' API on the pipeline's HTTP API: routes behind the operators' JWT authoriser
 * (scope `omnichannel/agent`), backed by one Lambda that checks every target against the caller's
 * business and roles (lambdas/identity/).
 */
export class HumanAgentApi extends Construct {
  readonly handler: SupportFunction;
  readonly routes: apigwv2.HttpRoute[];

  constructor(scope: Construct, id: string, props: HumanAgentApiProps) {
    super(scope, id);

    this.handler = new SupportFunction(this, 'Handler', {
      logicalId: 'HumanAgentApiFunction',
      handler: 'human-agent-api',
      description: 'Human agents: list waiting conversations, read, reply, hand back to the bot, close with CSAT',
      serviceName: 'human-agent-api',
      stage: props.stage,
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: {
        [ENV.tableName]: props.storage.table.tableName,
        [ENV.eventBusName]: props.bus.eventBusName,
      },
      logRemovalPolicy: props.removalPolicy,
    });
    props.storage.grantItemActions(this.handler.role, READ_WRITE_ITEM_ACTIONS);
    props.bus.grantPutEventsTo(this.handler.role);

    this.routes = addOperatorRoutes(this, {
      api: props.api,
      identity: props.identity,
      scope: OPERATOR_SCOPES.agent,
      routes: Object.values(HUMAN_AGENT_ROUTES),
      handler: this.handler,
    });
  }
}
