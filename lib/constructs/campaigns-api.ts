import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { wabaPk } from '#lambdas/accounts/channel-account';
import { CAMPAIGNS_ROUTES } from '#lambdas/campaigns/campaigns-api-contract';
import { RUNNING_CAMPAIGNS_PK } from '#lambdas/campaigns/campaign-keys';
import { accountPk } from '#lambdas/conversation/table-keys';
import { auditPk } from '#lambdas/identity/audit-trail';
import { OPERATOR_SCOPES } from '#lambdas/identity/operator-scopes';
import { SPEND_PK_PREFIX } from '#lambdas/pricing/spend-keys';
import { ENV } from '#lambdas/shared/event-contract';
import type { OperatorIdentity } from '#lib/constructs/operator-identity';
import { addOperatorRoutes } from '#lib/constructs/operator-routes';
import type { Storage } from '#lib/constructs/storage';
import { SupportFunction } from '#lib/constructs/support-function';
import type { Stage } from '#lib/stage';

export interface CampaignsApiProps {
  readonly stage: Stage;
  readonly api: apigwv2.HttpApi;
  readonly storage: Storage;
  readonly bus: events.IEventBus;
  readonly identity: OperatorIdentity;
  readonly removalPolicy: RemovalPolicy;
}

/** Partition keys the campaigns API writes: campaigns, their lists, the running list, its audit records. */
export const CAMPAIGNS_API_WRITE_KEYS = ['CAMPAIGNS#*', 'CAMPAIGN#*', RUNNING_CAMPAIGNS_PK, `${auditPk('')}*`];
/** And reads besides: contacts and their identities (audiences), the registry and templates (checks), the month's spend (budget). */
export const CAMPAIGNS_API_READ_KEYS = [...CAMPAIGNS_API_WRITE_KEYS, 'PERSON#*', 'IDENT#*', `${accountPk('')}*`, `${wabaPk('')}*`, `${SPEND_PK_PREFIX}*`];

/**
 * The campaigns admin API (docs/campaigns.md § Admin API) on the operators' HTTP API, scope
 * `omnichannel/admin`: define, preview, schedule, pause, resume and cancel campaigns, read their
 * recipients. Its own function: a CSV upload (up to 100,000 rows) is parsed, checked and decided
 * within the request, so it gets more memory and API Gateway's whole 29 s (the lists themselves
 * are written in the background by the release function).
 *
 * The grants name partition keys: it reads contacts, the registry, templates and spend, and
 * writes only campaign items and its audit records. Sending is the release loop's
 * (lib/constructs/campaigns.ts).
 */
export class CampaignsApi extends Construct {
  readonly handler: SupportFunction;
  readonly routes: apigwv2.HttpRoute[];

  constructor(scope: Construct, id: string, props: CampaignsApiProps) {
    super(scope, id);
    const table = props.storage.table.tableArn;
    const leadingKeys = (prefixes: readonly string[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...prefixes] } });
    this.handler = new SupportFunction(this, 'Handler', {
      logicalId: 'CampaignsApiFunction',
      handler: 'campaigns-api',
      description: 'Campaigns: define, preview, schedule, pause, resume and cancel template broadcasts; their recipients',
      serviceName: 'campaigns-api',
      stage: props.stage,
      // A 5 MB CSV parsed and a 100,000-customer list held while it is written.
      memorySize: 1024,
      // API Gateway waits 30 s at most.
      timeout: Duration.seconds(29),
      environment: { [ENV.tableName]: props.storage.table.tableName, [ENV.eventBusName]: props.bus.eventBusName },
      logRemovalPolicy: props.removalPolicy,
    });
    const role = this.handler.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadCampaignsContactsRegistry',
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
        resources: [table],
        conditions: leadingKeys(CAMPAIGNS_API_READ_KEYS),
      }),
    );
    // Recipients are written in transactions of Puts (TransactWriteItems is authorised per Put).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteCampaigns',
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [table],
        conditions: leadingKeys(CAMPAIGNS_API_WRITE_KEYS),
      }),
    );
    // A contacts audience walks the contacts index (docs/contacts.md).
    props.storage.grantContactSearch(role);
    // campaign.changed and the audit trail's operator.action.
    props.bus.grantPutEventsTo(role);
    this.routes = addOperatorRoutes(this, {
      api: props.api,
      identity: props.identity,
      scope: OPERATOR_SCOPES.admin,
      routes: Object.values(CAMPAIGNS_ROUTES),
      handler: this.handler,
    });
  }
}
