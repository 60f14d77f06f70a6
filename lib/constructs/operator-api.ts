import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import type { OperatorScope } from '#lambdas/identity/operator-scopes';
import { ENV } from '#lambdas/shared/event-contract';
import type { Stage } from '#lib/stage';
import type { OperatorIdentity } from '#lib/constructs/operator-identity';
import { addOperatorRoutes, type OperatorRoute } from '#lib/constructs/operator-routes';
import { READ_WRITE_ITEM_ACTIONS, type Storage } from '#lib/constructs/storage';
import { SupportFunction, type SupportFunctionProps } from '#lib/constructs/support-function';

export interface TableOperatorApiProps {
  readonly stage: Stage;
  readonly api: apigwv2.HttpApi;
  readonly storage: Storage;
  readonly bus: events.IEventBus;
  readonly identity: OperatorIdentity;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * An operator API whose function needs only the table and the bus (items read and written
 * conditionally, events for the audit trail and the pipeline): its routes behind the operators'
 * JWT authoriser with the API's scope.
 */
export class TableOperatorApi extends Construct {
  readonly handler: SupportFunction;
  readonly routes: apigwv2.HttpRoute[];

  constructor(
    scope: Construct,
    id: string,
    props: TableOperatorApiProps & {
      readonly function: Pick<SupportFunctionProps, 'logicalId' | 'handler' | 'description' | 'serviceName'>;
      readonly scope: OperatorScope;
      readonly routes: readonly OperatorRoute[];
    },
  ) {
    super(scope, id);
    this.handler = new SupportFunction(this, 'Handler', {
      ...props.function,
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
    this.routes = addOperatorRoutes(this, { api: props.api, identity: props.identity, scope: props.scope, routes: props.routes, handler: this.handler });
  }
}
