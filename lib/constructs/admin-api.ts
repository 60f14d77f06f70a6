import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ACCOUNTS_ADMIN_ROUTES } from '#lambdas/accounts/accounts-api-contract';
import { CONTACTS_ADMIN_ROUTES } from '#lambdas/contacts/api/contacts-api-contract';
import { ADMIN_ROUTES } from '#lambdas/identity/admin-routes';
import { OPERATOR_SCOPES } from '#lambdas/identity/operator-scopes';
import { ROUTING_ADMIN_ROUTES } from '#lambdas/routing/routing-api-contract';
import { TableOperatorApi, type TableOperatorApiProps } from '#lib/constructs/operator-api';

/**
 * A business's settings and its audit trail, behind the operators' JWT authoriser (scope
 * `omnichannel/admin`): the bot's flows, FAQ, hours and handoff keywords, versioned; the contact
 * centre's agents, queues, routing rules, macros and contact tags; its channel accounts (read only);
 * who did what.
 */
export class AdminApi extends TableOperatorApi {
  constructor(scope: Construct, id: string, props: TableOperatorApiProps) {
    super(scope, id, {
      ...props,
      function: {
        logicalId: 'AdminApiFunction',
        handler: 'admin-api',
        description: "Business settings (the bot's flows and FAQ, versioned; routing), and the operators' audit trail",
        serviceName: 'admin-api',
      },
      scope: OPERATOR_SCOPES.admin,
      routes: [
        ...Object.values(ADMIN_ROUTES),
        ...Object.values(ROUTING_ADMIN_ROUTES),
        ...Object.values(ACCOUNTS_ADMIN_ROUTES),
        ...Object.values(CONTACTS_ADMIN_ROUTES),
      ],
    });
    // Admins delete agents, queues, macros and contact tags: only items under those keys.
    this.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DeleteItem'],
        resources: [props.storage.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ROUTING#*', 'CONTACT#*'] } },
      }),
    );
  }
}
