import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Construct } from 'constructs';
import type { OperatorScope } from '#lambdas/identity/operator-scopes';
import type { OperatorIdentity } from '#lib/constructs/operator-identity';
import type { SupportFunction } from '#lib/constructs/support-function';

export interface OperatorRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
}

/**
 * Adds one operator API's routes to the HTTP API, each behind the operators' JWT authoriser and
 * requiring the API's scope. API Gateway refuses a missing, expired or foreign token (401) and a
 * token without the scope (403) before the function runs; the function checks business and role.
 */
export function addOperatorRoutes(
  scope: Construct,
  options: { api: apigwv2.HttpApi; identity: OperatorIdentity; scope: OperatorScope; routes: readonly OperatorRoute[]; handler: SupportFunction },
): apigwv2.HttpRoute[] {
  const integration = new HttpLambdaIntegration(`${scope.node.id}Integration`, options.handler.function, {
    payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    // One invoke permission per function for this API (source `<api id>/*/*`) instead of one per
    // route: the operator APIs have ~90 routes on a handful of functions, and per-route permissions
    // alone would take a fifth of CloudFormation's 500 resources per stack. The API is still the
    // only caller; which route may call which function is the route table's business.
    scopePermissionToRoute: false,
  });
  const authorizer = options.identity.routeAuthorizer(options.scope);
  return options.routes.flatMap((route) => options.api.addRoutes({ path: route.path, methods: [apigwv2.HttpMethod[route.method]], integration, authorizer }));
}
