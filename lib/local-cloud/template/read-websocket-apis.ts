import { type CfnTemplate, resourcesOfType } from '#lib/local-cloud/template/cfn-template';
import { referencedLogicalId } from '#lib/local-cloud/template/read-topology';

export interface WebSocketRouteSpec {
  /** `$connect`, `$disconnect`, `$default`, or a value of the route selection expression. */
  routeKey: string;
  functionLogicalId: string;
  /** NONE or CUSTOM (a Lambda REQUEST authoriser; only `$connect` may have one). */
  authorizationType: string;
  authorizerLogicalId?: string;
  /** The route has a route response: the function's answer is sent back to the client. */
  returnsResponse: boolean;
}

/** An `AWS::ApiGatewayV2::Authorizer` of type REQUEST on a WebSocket API. */
export interface WebSocketAuthorizerSpec {
  logicalId: string;
  functionLogicalId: string;
  /** `route.request.querystring.token`, `route.request.header.Auth`, … */
  identitySources: string[];
}

export interface WebSocketApiSpec {
  logicalId: string;
  name: string;
  routeSelectionExpression: string;
  routes: WebSocketRouteSpec[];
  authorizers: WebSocketAuthorizerSpec[];
  /** The first stage's name (the path of its URL and of its management endpoint). */
  stageName: string;
}

/**
 * The Lambda function an integration or authoriser URI names. For WebSocket APIs the URI is
 * `arn:…:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`, joined
 * from parts, so the function is searched for among them.
 */
export function functionIn(value: unknown, template: CfnTemplate): string | undefined {
  const direct = referencedLogicalId(value);
  if (direct && template.Resources[direct]?.Type === 'AWS::Lambda::Function') return direct;
  if (value === null || typeof value !== 'object') return undefined;
  const join = (value as Record<string, unknown>)['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) {
    for (const part of join[1]) {
      const id = functionIn(part, template);
      if (id) return id;
    }
  }
  return undefined;
}

/** Every WebSocket API of the template with its routes, Lambda integrations and REQUEST authorisers. */
export function readWebSocketApis(template: CfnTemplate): WebSocketApiSpec[] {
  const apis = resourcesOfType(template, 'AWS::ApiGatewayV2::Api').filter(([, r]) => r.Properties?.ProtocolType === 'WEBSOCKET');
  const ofApi = (type: string, apiLogicalId: string) =>
    resourcesOfType(template, type).filter(([, r]) => referencedLogicalId(r.Properties?.ApiId) === apiLogicalId);
  return apis.map(([logicalId, api]) => {
    const integrations = new Map(ofApi('AWS::ApiGatewayV2::Integration', logicalId).map(([id, r]) => [id, functionIn(r.Properties?.IntegrationUri, template)]));
    const withResponse = new Set(ofApi('AWS::ApiGatewayV2::RouteResponse', logicalId).map(([, r]) => referencedLogicalId(r.Properties?.RouteId)));
    const routes = ofApi('AWS::ApiGatewayV2::Route', logicalId).flatMap(([routeLogicalId, r]): WebSocketRouteSpec[] => {
      const p = r.Properties ?? {};
      const target = typeof p.Target === 'string' ? undefined : p.Target;
      const integrationId = referencedLogicalId(target);
      const functionLogicalId = integrationId ? integrations.get(integrationId) : undefined;
      if (!functionLogicalId) return [];
      const authorizerLogicalId = referencedLogicalId(p.AuthorizerId);
      return [
        {
          routeKey: String(p.RouteKey),
          functionLogicalId,
          authorizationType: typeof p.AuthorizationType === 'string' ? p.AuthorizationType : 'NONE',
          ...(authorizerLogicalId ? { authorizerLogicalId } : {}),
          returnsResponse: withResponse.has(routeLogicalId) || typeof p.RouteResponseSelectionExpression === 'string',
        },
      ];
    });
    const authorizers = ofApi('AWS::ApiGatewayV2::Authorizer', logicalId).flatMap(([id, r]): WebSocketAuthorizerSpec[] => {
      const p = r.Properties ?? {};
      const functionLogicalId = p.AuthorizerType === 'REQUEST' ? functionIn(p.AuthorizerUri, template) : undefined;
      if (!functionLogicalId) return [];
      return [
        {
          logicalId: id,
          functionLogicalId,
          identitySources: (Array.isArray(p.IdentitySource) ? p.IdentitySource : [p.IdentitySource]).filter(Boolean).map(String),
        },
      ];
    });
    const stage = ofApi('AWS::ApiGatewayV2::Stage', logicalId)[0];
    return {
      logicalId,
      name: typeof api.Properties?.Name === 'string' ? api.Properties.Name : logicalId,
      routeSelectionExpression: String(api.Properties?.RouteSelectionExpression ?? '$request.body.action'),
      routes,
      authorizers,
      stageName: typeof stage?.[1].Properties?.StageName === 'string' ? stage[1].Properties.StageName : '$default',
    };
  });
}
