import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type HttpApi, startHttpApi } from '#lib/local-cloud/http-api';
import { jwtOfRoute, LocalIdentityProviders } from '#lib/local-cloud/identity/local-identity';
import type { CfnTemplate } from '#lib/local-cloud/template/cfn-template';
import type { IntrinsicContext } from '#lib/local-cloud/template/intrinsics';
import { readTopology } from '#lib/local-cloud/template/read-topology';

const client = () => ({ Type: 'AWS::Cognito::UserPoolClient', Properties: { UserPoolId: { Ref: 'OperatorUserPool' } } });
const route = (key: string, auth?: { scopes: string[] }) => ({
  Type: 'AWS::ApiGatewayV2::Route',
  Properties: {
    ApiId: { Ref: 'HttpApi' },
    RouteKey: key,
    Target: { 'Fn::Join': ['', ['integrations/', { Ref: 'ApiIntegration' }]] },
    ...(auth ? { AuthorizationType: 'JWT', AuthorizerId: { Ref: 'OperatorJwtAuthorizer' }, AuthorizationScopes: auth.scopes } : { AuthorizationType: 'NONE' }),
  },
});

/** The operator identity resources as the stack emits them, around one echoing function. */
export const OPERATOR_TEMPLATE: CfnTemplate = {
  Resources: {
    OperatorUserPool: { Type: 'AWS::Cognito::UserPool', Properties: {} },
    OperatorResourceServer: {
      Type: 'AWS::Cognito::UserPoolResourceServer',
      Properties: { Identifier: 'omnichannel', UserPoolId: { Ref: 'OperatorUserPool' } },
    },
    OperatorConsoleClient: client(),
    BusinessBackendClient: client(),
    // A client of the pool that the authoriser does not list as an audience.
    UnlistedClient: client(),
    OperatorJwtAuthorizer: {
      Type: 'AWS::ApiGatewayV2::Authorizer',
      Properties: {
        ApiId: { Ref: 'HttpApi' },
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: {
          Issuer: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: 'OperatorUserPool' }]] },
          Audience: [{ Ref: 'OperatorConsoleClient' }, { Ref: 'BusinessBackendClient' }],
        },
      },
    },
    ApiFunction: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler', Code: { S3Key: 'x.zip' } } },
    ApiIntegration: {
      Type: 'AWS::ApiGatewayV2::Integration',
      Properties: { IntegrationUri: { 'Fn::GetAtt': ['ApiFunction', 'Arn'] } },
    },
    AgentRoute: route('GET /agent/conversations', { scopes: ['omnichannel/agent'] }),
    TemplatesRoute: route('POST /templates/send', { scopes: ['omnichannel/templates', 'omnichannel/admin'] }),
    WebhookRoute: route('POST /webhook'),
  },
};

export interface OperatorApiFixture {
  api: HttpApi;
  identity: LocalIdentityProviders;
  ctx: IntrinsicContext;
  /** Events that reached the function. */
  events: APIGatewayProxyEventV2[];
  call(method: string, path: string, opts?: { authorization?: string; body?: unknown }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startOperatorApi(template: CfnTemplate = OPERATOR_TEMPLATE): Promise<OperatorApiFixture> {
  const topology = readTopology(template);
  const ctx: IntrinsicContext = { template, region: 'eu-west-1', accountId: '000000000000', resources: new Map() };
  const identity = await LocalIdentityProviders.create(topology, ctx);
  const events: APIGatewayProxyEventV2[] = [];
  let url = '';
  const api = await startHttpApi({
    port: 0,
    issuerKeys: identity.issuerKeys,
    localEndpoints: identity.endpoints(() => url),
    routes: topology.routes.map((r) => ({
      routeKey: r.routeKey,
      jwt: jwtOfRoute(r, topology, ctx),
      invoke: async (event) => {
        events.push(event);
        return { statusCode: 200, body: 'reached' };
      },
    })),
  });
  url = api.url;
  return {
    api,
    identity,
    ctx,
    events,
    async call(method, path, opts = {}) {
      const res = await fetch(`${api.url}${path}`, {
        method,
        headers: {
          ...(opts.authorization !== undefined ? { authorization: opts.authorization } : {}),
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // plain text (the function's own body)
      }
      return { status: res.status, body, headers: res.headers };
    },
    close: () => api.close(),
  };
}
