import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { ADMIN_ROUTES } from '#lambdas/identity/admin-routes';
import { OPERATOR_SCOPES } from '#lambdas/identity/operator-scopes';
import { ENV } from '#lambdas/shared/event-contract';
import type { Stage } from '#lib/stage';
import type { OperatorIdentity } from '#lib/constructs/operator-identity';
import { addOperatorRoutes } from '#lib/constructs/operator-routes';
import { READ_WRITE_ITEM_ACTIONS, type Storage } from '#lib/constructs/storage';
import { SupportFunction } from '#lib/constructs/support-function';

export interface AdminApiProps {
  readonly stage: Stage;
  readonly api: apigwv2.HttpApi;
  readonly storage: Storage;
  readonly bus: events.IEventBus;
  readonly identity: OperatorIdentity;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A business's settings and its audit trail, behind the operators' JWT authoriser (scope
 * `omnichannel/admin`): the bot's flows, FAQ, hours and handoff keywords, versioned; who did what.
 */
export class AdminApi extends Construct {
  readonly handler: SupportFunction;
  readonly routes: apigwv2.HttpRoute[];

  constructor(scope: Construct, id: string, props: AdminApiProps) {
    super(scope, id);
    this.handler = new SupportFunction(this, 'Handler', {
      logicalId: 'AdminApiFunction',
      handler: 'admin-api',
      description: "Business settings (the bot's flows and FAQ, versioned) and the operators' audit trail",
      serviceName: 'admin-api',
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
      scope: OPERATOR_SCOPES.admin,
      routes: Object.values(ADMIN_ROUTES),
      handler: this.handler,
    });
  }
}
