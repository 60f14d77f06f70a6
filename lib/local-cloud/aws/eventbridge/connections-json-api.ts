import { optionalInt, optionalList, optionalObject, optionalString, requiredString, type JsonInput } from '#lib/local-cloud/aws/http/json-input';
import type { ApiDestination, ApiDestinationMethod } from '#lib/local-cloud/aws/eventbridge/api-destinations';
import type {
  AuthorizationType,
  ConnectionDescription,
  ConnectionHttpParameters,
  ConnectionParameter,
  ConnectionSummary,
  OAuthHttpMethod,
  UpdateConnectionInput,
} from '#lib/local-cloud/aws/eventbridge/connections';
import type { EventBridgeEngine } from '#lib/local-cloud/aws/eventbridge/eventbridge-engine';
import { epochSeconds, fieldErrors, page } from '#lib/local-cloud/aws/eventbridge/eventbridge-wire';

/**
 * Connections and API destinations over AWS JSON 1.1: CreateConnection, UpdateConnection,
 * DescribeConnection, DeleteConnection, ListConnections, DeauthorizeConnection,
 * CreateApiDestination, UpdateApiDestination, DescribeApiDestination, DeleteApiDestination,
 * ListApiDestinations.
 */
export function connectionOperations(engine: EventBridgeEngine): Record<string, (input: JsonInput) => unknown> {
  const connections = engine.connections;
  const destinations = engine.apiDestinations;
  return {
    CreateConnection(input) {
      const auth = optionalObject(input, 'AuthParameters', fieldErrors);
      if (!auth) throw fieldErrors.missing('AuthParameters');
      const description = optionalString(input, 'Description', fieldErrors);
      const created = connections.create({
        name: requiredString(input, 'Name', fieldErrors),
        ...(description !== undefined ? { description } : {}),
        authorizationType: requiredString(input, 'AuthorizationType', fieldErrors) as AuthorizationType,
        authParameters: parseAuthParameters(auth),
      });
      return connectionStateJson(created);
    },
    UpdateConnection(input) {
      const auth = optionalObject(input, 'AuthParameters', fieldErrors);
      const description = optionalString(input, 'Description', fieldErrors);
      const type = optionalString(input, 'AuthorizationType', fieldErrors);
      const updated = connections.update(requiredString(input, 'Name', fieldErrors), {
        ...(description !== undefined ? { description } : {}),
        ...(type !== undefined ? { authorizationType: type as AuthorizationType } : {}),
        ...(auth ? { authParameters: parseAuthParameters(auth) as UpdateConnectionInput['authParameters'] } : {}),
      });
      return connectionStateJson(updated);
    },
    DescribeConnection(input) {
      return describeConnectionJson(connections.describe(requiredString(input, 'Name', fieldErrors)));
    },
    DeleteConnection(input) {
      return connectionStateJson(connections.delete(requiredString(input, 'Name', fieldErrors)));
    },
    DeauthorizeConnection(input) {
      return connectionStateJson(connections.deauthorize(requiredString(input, 'Name', fieldErrors)));
    },
    ListConnections(input) {
      const namePrefix = optionalString(input, 'NamePrefix', fieldErrors);
      const state = optionalString(input, 'ConnectionState', fieldErrors);
      const all = connections.list({ ...(namePrefix !== undefined ? { namePrefix } : {}), ...(state !== undefined ? { state } : {}) });
      const { items, nextToken } = page(all, input);
      return { Connections: items.map(connectionSummaryJson), ...(nextToken ? { NextToken: nextToken } : {}) };
    },
    CreateApiDestination(input) {
      const description = optionalString(input, 'Description', fieldErrors);
      const rate = optionalInt(input, 'InvocationRateLimitPerSecond', fieldErrors);
      const created = destinations.create({
        name: requiredString(input, 'Name', fieldErrors),
        ...(description !== undefined ? { description } : {}),
        connectionArn: requiredString(input, 'ConnectionArn', fieldErrors),
        invocationEndpoint: requiredString(input, 'InvocationEndpoint', fieldErrors),
        httpMethod: requiredString(input, 'HttpMethod', fieldErrors) as ApiDestinationMethod,
        ...(rate !== undefined ? { invocationRateLimitPerSecond: rate } : {}),
      });
      return destinationStateJson(created);
    },
    UpdateApiDestination(input) {
      const description = optionalString(input, 'Description', fieldErrors);
      const connectionArn = optionalString(input, 'ConnectionArn', fieldErrors);
      const invocationEndpoint = optionalString(input, 'InvocationEndpoint', fieldErrors);
      const httpMethod = optionalString(input, 'HttpMethod', fieldErrors);
      const rate = optionalInt(input, 'InvocationRateLimitPerSecond', fieldErrors);
      const updated = destinations.update(requiredString(input, 'Name', fieldErrors), {
        ...(description !== undefined ? { description } : {}),
        ...(connectionArn !== undefined ? { connectionArn } : {}),
        ...(invocationEndpoint !== undefined ? { invocationEndpoint } : {}),
        ...(httpMethod !== undefined ? { httpMethod: httpMethod as ApiDestinationMethod } : {}),
        ...(rate !== undefined ? { invocationRateLimitPerSecond: rate } : {}),
      });
      return destinationStateJson(updated);
    },
    DescribeApiDestination(input) {
      const d = destinations.describe(requiredString(input, 'Name', fieldErrors));
      return { ...destinationJson(d), ...(d.description !== undefined ? { Description: d.description } : {}) };
    },
    DeleteApiDestination(input) {
      destinations.delete(requiredString(input, 'Name', fieldErrors));
      return {};
    },
    ListApiDestinations(input) {
      const namePrefix = optionalString(input, 'NamePrefix', fieldErrors);
      const connectionArn = optionalString(input, 'ConnectionArn', fieldErrors);
      const all = destinations.list({ ...(namePrefix !== undefined ? { namePrefix } : {}), ...(connectionArn !== undefined ? { connectionArn } : {}) });
      const { items, nextToken } = page(all, input);
      return { ApiDestinations: items.map(destinationJson), ...(nextToken ? { NextToken: nextToken } : {}) };
    },
  };
}

/** AuthParameters of CreateConnection (all fields) or UpdateConnection (any subset): checked by the store. */
function parseAuthParameters(auth: JsonInput) {
  const basic = optionalObject(auth, 'BasicAuthParameters', fieldErrors);
  const apiKey = optionalObject(auth, 'ApiKeyAuthParameters', fieldErrors);
  const oauth = optionalObject(auth, 'OAuthParameters', fieldErrors);
  const invocation = optionalObject(auth, 'InvocationHttpParameters', fieldErrors);
  const client = oauth ? optionalObject(oauth, 'ClientParameters', fieldErrors) : undefined;
  const oauthParams = oauth ? optionalObject(oauth, 'OAuthHttpParameters', fieldErrors) : undefined;
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return defined({
    basic: basic ? defined({ username: optionalString(basic, 'Username', fieldErrors), password: optionalString(basic, 'Password', fieldErrors) }) : undefined,
    apiKey: apiKey
      ? defined({ apiKeyName: optionalString(apiKey, 'ApiKeyName', fieldErrors), apiKeyValue: optionalString(apiKey, 'ApiKeyValue', fieldErrors) })
      : undefined,
    oauth: oauth
      ? defined({
          clientId: client ? optionalString(client, 'ClientID', fieldErrors) : undefined,
          clientSecret: client ? optionalString(client, 'ClientSecret', fieldErrors) : undefined,
          authorizationEndpoint: optionalString(oauth, 'AuthorizationEndpoint', fieldErrors),
          httpMethod: optionalString(oauth, 'HttpMethod', fieldErrors) as OAuthHttpMethod | undefined,
          oauthHttpParameters: oauthParams ? parseHttpParameters(oauthParams) : undefined,
        })
      : undefined,
    invocationHttpParameters: invocation ? parseHttpParameters(invocation) : undefined,
  }) as Parameters<EventBridgeEngine['connections']['create']>[0]['authParameters'];
}

function parseHttpParameters(params: JsonInput): ConnectionHttpParameters {
  const list = (name: string): ConnectionParameter[] | undefined =>
    optionalList(params, name, fieldErrors)?.map((p) => {
      const isSecret = p.IsValueSecret;
      if (isSecret !== undefined && typeof isSecret !== 'boolean') throw fieldErrors.invalid(`${name}.IsValueSecret`, 'must be a boolean');
      return {
        key: requiredString(p, 'Key', fieldErrors),
        value: optionalString(p, 'Value', fieldErrors) ?? '',
        ...(isSecret ? { isValueSecret: true } : {}),
      };
    });
  const headers = list('HeaderParameters');
  const query = list('QueryStringParameters');
  const body = list('BodyParameters');
  return {
    ...(headers ? { headerParameters: headers } : {}),
    ...(query ? { queryStringParameters: query } : {}),
    ...(body ? { bodyParameters: body } : {}),
  };
}

function httpParametersJson(params: ConnectionHttpParameters): Record<string, unknown> {
  const list = (items: ConnectionParameter[] | undefined) =>
    items?.map((p) => ({ Key: p.key, ...(p.isValueSecret ? { IsValueSecret: true } : { Value: p.value, IsValueSecret: false }) }));
  return {
    ...(params.headerParameters ? { HeaderParameters: list(params.headerParameters) } : {}),
    ...(params.queryStringParameters ? { QueryStringParameters: list(params.queryStringParameters) } : {}),
    ...(params.bodyParameters ? { BodyParameters: list(params.bodyParameters) } : {}),
  };
}

function connectionStateJson(c: ConnectionSummary): Record<string, unknown> {
  return {
    ConnectionArn: c.arn,
    ConnectionState: c.state,
    CreationTime: epochSeconds(c.creationTime),
    LastModifiedTime: epochSeconds(c.lastModifiedTime),
    ...(c.lastAuthorizedTime !== undefined ? { LastAuthorizedTime: epochSeconds(c.lastAuthorizedTime) } : {}),
  };
}

function connectionSummaryJson(c: ConnectionSummary): Record<string, unknown> {
  return {
    ...connectionStateJson(c),
    Name: c.name,
    AuthorizationType: c.authorizationType,
    ...(c.stateReason !== undefined ? { StateReason: c.stateReason } : {}),
  };
}

function describeConnectionJson(c: ConnectionDescription): Record<string, unknown> {
  const a = c.authParameters;
  return {
    ...connectionSummaryJson(c),
    ...(c.description !== undefined ? { Description: c.description } : {}),
    ...(c.secretArn !== undefined ? { SecretArn: c.secretArn } : {}),
    AuthParameters: {
      ...(a.apiKey ? { ApiKeyAuthParameters: { ApiKeyName: a.apiKey.apiKeyName } } : {}),
      ...(a.basic ? { BasicAuthParameters: { Username: a.basic.username } } : {}),
      ...(a.oauth
        ? {
            OAuthParameters: {
              ClientParameters: { ClientID: a.oauth.clientId },
              AuthorizationEndpoint: a.oauth.authorizationEndpoint,
              HttpMethod: a.oauth.httpMethod,
              ...(a.oauth.oauthHttpParameters ? { OAuthHttpParameters: httpParametersJson(a.oauth.oauthHttpParameters) } : {}),
            },
          }
        : {}),
      ...(a.invocationHttpParameters ? { InvocationHttpParameters: httpParametersJson(a.invocationHttpParameters) } : {}),
    },
  };
}

function destinationStateJson(d: ApiDestination): Record<string, unknown> {
  return {
    ApiDestinationArn: d.arn,
    ApiDestinationState: d.state,
    CreationTime: epochSeconds(d.creationTime),
    LastModifiedTime: epochSeconds(d.lastModifiedTime),
  };
}

function destinationJson(d: ApiDestination): Record<string, unknown> {
  return {
    ...destinationStateJson(d),
    Name: d.name,
    ConnectionArn: d.connectionArn,
    InvocationEndpoint: d.invocationEndpoint,
    HttpMethod: d.httpMethod,
    InvocationRateLimitPerSecond: d.invocationRateLimitPerSecond,
  };
}
