import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '#lib/local-cloud/aws/aws-error';
import { type Clock, systemClock } from '#lib/local-cloud/aws/clock';
import { checkEndpointUrl } from '#lib/local-cloud/aws/eventbridge/endpoint-url';
import { OAuthTokens } from '#lib/local-cloud/aws/eventbridge/oauth-tokens';
import type { SecretsEngine } from '#lib/local-cloud/aws/secrets/secrets-engine';

export type AuthorizationType = 'API_KEY' | 'BASIC' | 'OAUTH_CLIENT_CREDENTIALS';
export const AUTHORIZATION_TYPES: readonly AuthorizationType[] = ['API_KEY', 'BASIC', 'OAUTH_CLIENT_CREDENTIALS'];

export type ConnectionState = 'CREATING' | 'UPDATING' | 'DELETING' | 'AUTHORIZED' | 'DEAUTHORIZED' | 'AUTHORIZING' | 'DEAUTHORIZING';

export interface ConnectionParameter {
  key: string;
  value: string;
  /** A secret value is used but never shown again by DescribeConnection. */
  isValueSecret?: boolean;
}

export interface ConnectionHttpParameters {
  headerParameters?: ConnectionParameter[];
  queryStringParameters?: ConnectionParameter[];
  bodyParameters?: ConnectionParameter[];
}

export type OAuthHttpMethod = 'GET' | 'POST' | 'PUT';

export interface OAuthParameters {
  clientId: string;
  clientSecret: string;
  authorizationEndpoint: string;
  httpMethod: OAuthHttpMethod;
  oauthHttpParameters?: ConnectionHttpParameters;
}

/** A connection's authorization parameters, secrets included (kept here and in its secret only). */
export interface ConnectionAuthParameters {
  apiKey?: { apiKeyName: string; apiKeyValue: string };
  basic?: { username: string; password: string };
  oauth?: OAuthParameters;
  /** Sent with every invocation; on a conflict they win over the target's HttpParameters. */
  invocationHttpParameters?: ConnectionHttpParameters;
}

export interface CreateConnectionInput {
  name: string;
  description?: string;
  authorizationType: AuthorizationType;
  authParameters: ConnectionAuthParameters;
}

/** UpdateConnection: every field optional; given fields replace the stored ones. */
export interface UpdateConnectionInput {
  description?: string;
  authorizationType?: AuthorizationType;
  authParameters?: {
    apiKey?: Partial<NonNullable<ConnectionAuthParameters['apiKey']>>;
    basic?: Partial<NonNullable<ConnectionAuthParameters['basic']>>;
    oauth?: Partial<OAuthParameters>;
    invocationHttpParameters?: ConnectionHttpParameters;
  };
}

export interface ConnectionSummary {
  arn: string;
  name: string;
  state: ConnectionState;
  stateReason: string | undefined;
  authorizationType: AuthorizationType;
  creationTime: number;
  lastModifiedTime: number;
  lastAuthorizedTime: number | undefined;
}

/** DescribeConnection: the parameters without the secrets, as EventBridge shows them. */
export interface ConnectionDescription extends ConnectionSummary {
  description: string | undefined;
  secretArn: string | undefined;
  authParameters: {
    apiKey?: { apiKeyName: string };
    basic?: { username: string };
    oauth?: { clientId: string; authorizationEndpoint: string; httpMethod: OAuthHttpMethod; oauthHttpParameters?: ConnectionHttpParameters };
    invocationHttpParameters?: ConnectionHttpParameters;
  };
}

/** What a connection adds to one invocation. */
export interface ConnectionAuthorization {
  headers: Record<string, string>;
  query: Array<[string, string]>;
  body: Array<[string, string]>;
}

export interface StoredConnection {
  name: string;
  arn: string;
  uuid: string;
  description: string | undefined;
  authorizationType: AuthorizationType;
  auth: ConnectionAuthParameters;
  state: ConnectionState;
  stateReason: string | undefined;
  secretArn: string | undefined;
  secretName: string | undefined;
  creationTime: number;
  lastModifiedTime: number;
  lastAuthorizedTime: number | undefined;
}

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
/** ApiKeyName, Username, ClientID: printable, no colon (CloudFormation's documented pattern). */
const NO_COLON_TEXT = /^[ \t]*[^\x00-\x1F:\x7F]+([ \t]+[^\x00-\x1F:\x7F]+)*[ \t]*$/;
const TEXT = /^[ \t]*[^\x00-\x1F\x7F]+([ \t]+[^\x00-\x1F\x7F]+)*[ \t]*$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-zA-Z]+$/;

export function validationError(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message);
}

function notFound(name: string): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', `Failed to describe the connection(s). Connection '${name}' does not exist.`);
}

/**
 * EventBridge connections in memory: CreateConnection, UpdateConnection, DescribeConnection,
 * DeleteConnection, ListConnections, DeauthorizeConnection. As in the service, the authorization
 * parameters are kept in a Secrets Manager secret named `events!connection/<name>/<uuid>` (mirrored
 * into the local Secrets Manager when one is given) and never read back through Describe.
 * Basic and API key connections are AUTHORIZED at once; an OAuth connection is AUTHORIZING until
 * its first token arrives (AUTHORIZED) or is refused (DEAUTHORIZED).
 */
export class ConnectionStore {
  private readonly connections = new Map<string, StoredConnection>();
  private readonly clock: Clock;
  private readonly region: string;
  private readonly accountId: string;
  private readonly secrets: SecretsEngine | undefined;
  readonly tokens: OAuthTokens;

  constructor(options: { clock?: Clock; region?: string; accountId?: string; secrets?: SecretsEngine } = {}) {
    this.clock = options.clock ?? systemClock;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.secrets = options.secrets;
    this.tokens = new OAuthTokens({
      clock: this.clock,
      onAuthorized: (c) => this.markAuthorized(c),
      onRefused: (c, reason) => this.markDeauthorized(c, reason),
    });
  }

  create(input: CreateConnectionInput): ConnectionSummary {
    if (!NAME.test(input.name)) throw validationError(`Connection name ${input.name} is not valid.`);
    if (this.connections.has(input.name)) throw new AwsServiceError('ResourceAlreadyExistsException', `Connection ${input.name} already exists.`);
    if (!AUTHORIZATION_TYPES.includes(input.authorizationType)) throw validationError(`AuthorizationType ${String(input.authorizationType)} is not valid.`);
    validateDescription(input.description);
    validateAuth(input.authorizationType, input.authParameters);
    const now = this.clock.now();
    const uuid = randomUUID();
    const connection: StoredConnection = {
      name: input.name,
      arn: `arn:aws:events:${this.region}:${this.accountId}:connection/${input.name}/${uuid}`,
      uuid,
      description: input.description,
      authorizationType: input.authorizationType,
      auth: structuredClone(input.authParameters),
      state: 'AUTHORIZED',
      stateReason: undefined,
      secretArn: undefined,
      secretName: undefined,
      creationTime: now,
      lastModifiedTime: now,
      lastAuthorizedTime: now,
    };
    this.storeSecret(connection);
    this.connections.set(connection.name, connection);
    this.startAuthorization(connection);
    return summary(connection);
  }

  update(name: string, input: UpdateConnectionInput): ConnectionSummary {
    const connection = this.get(name);
    validateDescription(input.description);
    const type = input.authorizationType ?? connection.authorizationType;
    if (!AUTHORIZATION_TYPES.includes(type)) throw validationError(`AuthorizationType ${String(type)} is not valid.`);
    const given = input.authParameters ?? {};
    const auth: ConnectionAuthParameters = {
      ...((given.invocationHttpParameters ?? connection.auth.invocationHttpParameters)
        ? { invocationHttpParameters: given.invocationHttpParameters ?? connection.auth.invocationHttpParameters }
        : {}),
    };
    // Switching type needs the new type's parameters in full; the same type takes partial updates.
    const same = type === connection.authorizationType;
    if (type === 'API_KEY') auth.apiKey = { ...(same ? connection.auth.apiKey : {}), ...given.apiKey } as ConnectionAuthParameters['apiKey'];
    if (type === 'BASIC') auth.basic = { ...(same ? connection.auth.basic : {}), ...given.basic } as ConnectionAuthParameters['basic'];
    if (type === 'OAUTH_CLIENT_CREDENTIALS') auth.oauth = { ...(same ? connection.auth.oauth : {}), ...given.oauth } as OAuthParameters;
    validateAuth(type, auth);
    connection.authorizationType = type;
    connection.auth = structuredClone(auth);
    if (input.description !== undefined) connection.description = input.description;
    connection.lastModifiedTime = this.clock.now();
    connection.state = 'AUTHORIZED';
    connection.stateReason = undefined;
    connection.lastAuthorizedTime = connection.lastModifiedTime;
    this.tokens.forget(connection.arn);
    this.storeSecret(connection);
    this.startAuthorization(connection);
    return summary(connection);
  }

  describe(name: string): ConnectionDescription {
    return describeConnection(this.get(name));
  }

  /** DeleteConnection: answers DELETING; the connection and its secret are gone right after. */
  delete(name: string): ConnectionSummary {
    const connection = this.get(name);
    this.connections.delete(name);
    this.tokens.forget(connection.arn);
    if (connection.secretName !== undefined) this.secrets?.deleteSecret(connection.secretName);
    return { ...summary(connection), state: 'DELETING' };
  }

  /** DeauthorizeConnection: the authorization parameters are removed; DEAUTHORIZED until updated. */
  deauthorize(name: string): ConnectionSummary {
    const connection = this.get(name);
    this.markDeauthorized(connection.arn, 'Connection deauthorized by the user.');
    connection.lastModifiedTime = this.clock.now();
    return { ...summary(connection), state: 'DEAUTHORIZING' };
  }

  list(filter: { namePrefix?: string; state?: string } = {}): ConnectionSummary[] {
    return [...this.connections.values()]
      .filter((c) => filter.namePrefix === undefined || c.name.startsWith(filter.namePrefix))
      .filter((c) => filter.state === undefined || c.state === filter.state)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(summary);
  }

  /** The connection an ARN names (the exact ARN: a recreated connection has a new one). */
  byArn(arn: string): StoredConnection | undefined {
    return [...this.connections.values()].find((c) => c.arn === arn);
  }

  /**
   * Headers, query and body parameters one invocation carries: the connection's invocation
   * parameters and its credentials (an OAuth connection's access token, fetched or refreshed as
   * needed). Throws a TargetDeliveryError when the connection cannot authorize.
   */
  async authorization(connection: StoredConnection): Promise<ConnectionAuthorization> {
    const params = connection.auth.invocationHttpParameters;
    const out: ConnectionAuthorization = {
      headers: Object.fromEntries((params?.headerParameters ?? []).map((p) => [p.key, p.value])),
      query: (params?.queryStringParameters ?? []).map((p) => [p.key, p.value]),
      body: (params?.bodyParameters ?? []).map((p) => [p.key, p.value]),
    };
    if (connection.authorizationType === 'API_KEY' && connection.auth.apiKey) {
      out.headers[connection.auth.apiKey.apiKeyName] = connection.auth.apiKey.apiKeyValue;
    } else if (connection.authorizationType === 'BASIC' && connection.auth.basic) {
      const { username, password } = connection.auth.basic;
      out.headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
    } else if (connection.authorizationType === 'OAUTH_CLIENT_CREDENTIALS' && connection.auth.oauth) {
      out.headers.Authorization = await this.tokens.authorizationHeader(connection.arn, connection.name, connection.auth.oauth);
    }
    return out;
  }

  /** Resolves once no authorization (token request) is under way. */
  settled(): Promise<void> {
    return this.tokens.settled();
  }

  private get(name: string): StoredConnection {
    const connection = this.connections.get(name);
    if (!connection) throw notFound(name);
    return connection;
  }

  private startAuthorization(connection: StoredConnection): void {
    if (connection.authorizationType !== 'OAUTH_CLIENT_CREDENTIALS' || !connection.auth.oauth) return;
    connection.state = 'AUTHORIZING';
    connection.lastAuthorizedTime = undefined;
    this.tokens.authorizeInBackground(connection.arn, connection.name, connection.auth.oauth);
  }

  private markAuthorized(arn: string): void {
    const connection = this.byArn(arn);
    if (!connection || connection.state === 'DEAUTHORIZED') return;
    connection.state = 'AUTHORIZED';
    connection.stateReason = undefined;
    connection.lastAuthorizedTime = this.clock.now();
  }

  private markDeauthorized(arn: string, reason: string): void {
    const connection = this.byArn(arn);
    if (!connection) return;
    connection.state = 'DEAUTHORIZED';
    connection.stateReason = reason;
    this.tokens.forget(arn);
  }

  private storeSecret(connection: StoredConnection): void {
    if (!this.secrets) return;
    const name = `events!connection/${connection.name}/${connection.uuid}`;
    const value = JSON.stringify({ authorizationType: connection.authorizationType, ...connection.auth });
    const stored =
      connection.secretName === undefined
        ? this.secrets.createSecret(name, { secretString: value })
        : this.secrets.putSecretValue(name, { secretString: value });
    connection.secretName = name;
    connection.secretArn = stored.arn;
  }
}

function summary(c: StoredConnection): ConnectionSummary {
  return {
    arn: c.arn,
    name: c.name,
    state: c.state,
    stateReason: c.stateReason,
    authorizationType: c.authorizationType,
    creationTime: c.creationTime,
    lastModifiedTime: c.lastModifiedTime,
    lastAuthorizedTime: c.lastAuthorizedTime,
  };
}

function hideSecrets(params: ConnectionHttpParameters | undefined): ConnectionHttpParameters | undefined {
  if (!params) return undefined;
  const hide = (list: ConnectionParameter[] | undefined) =>
    list?.map((p) => (p.isValueSecret ? { key: p.key, isValueSecret: true } : { ...p })) as ConnectionParameter[] | undefined;
  return {
    ...(params.headerParameters ? { headerParameters: hide(params.headerParameters) } : {}),
    ...(params.queryStringParameters ? { queryStringParameters: hide(params.queryStringParameters) } : {}),
    ...(params.bodyParameters ? { bodyParameters: hide(params.bodyParameters) } : {}),
  };
}

function describeConnection(c: StoredConnection): ConnectionDescription {
  const invocation = hideSecrets(c.auth.invocationHttpParameters);
  const oauthParams = hideSecrets(c.auth.oauth?.oauthHttpParameters);
  return {
    ...summary(c),
    description: c.description,
    secretArn: c.secretArn,
    authParameters: {
      ...(c.auth.apiKey ? { apiKey: { apiKeyName: c.auth.apiKey.apiKeyName } } : {}),
      ...(c.auth.basic ? { basic: { username: c.auth.basic.username } } : {}),
      ...(c.auth.oauth
        ? {
            oauth: {
              clientId: c.auth.oauth.clientId,
              authorizationEndpoint: c.auth.oauth.authorizationEndpoint,
              httpMethod: c.auth.oauth.httpMethod,
              ...(oauthParams ? { oauthHttpParameters: oauthParams } : {}),
            },
          }
        : {}),
      ...(invocation ? { invocationHttpParameters: invocation } : {}),
    },
  };
}

function validateDescription(description: string | undefined): void {
  if (description !== undefined && description.length > 512) throw validationError('Description must be at most 512 characters.');
}

function checkText(value: unknown, field: string, pattern: RegExp): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512 || !pattern.test(value)) {
    throw validationError(`Parameter ${field} is not valid.`);
  }
}

function validateHttpParameters(params: ConnectionHttpParameters | undefined, field: string): void {
  if (!params) return;
  for (const [kind, list] of [
    ['HeaderParameters', params.headerParameters],
    ['QueryStringParameters', params.queryStringParameters],
    ['BodyParameters', params.bodyParameters],
  ] as const) {
    if (!list) continue;
    if (list.length > 100) throw validationError(`${field}.${kind}: at most 100 parameters.`);
    for (const p of list) {
      if (typeof p.key !== 'string' || p.key.length === 0 || p.key.length > 512) throw validationError(`${field}.${kind}: a Key is not valid.`);
      if (kind === 'HeaderParameters' && !HEADER_NAME.test(p.key)) throw validationError(`${field}.${kind}: header name ${p.key} is not valid.`);
      if (typeof p.value !== 'string' || p.value.length > 512 || /[\x00-\x08\x0A-\x1F\x7F]/.test(p.value)) {
        throw validationError(`${field}.${kind}: the value of ${p.key} is not valid.`);
      }
    }
  }
}

/** As CreateConnection checks: exactly the parameters of the authorization type, well formed. */
function validateAuth(type: AuthorizationType, auth: ConnectionAuthParameters | undefined): void {
  if (!auth) throw validationError('AuthParameters must be specified.');
  const present = (['apiKey', 'basic', 'oauth'] as const).filter((k) => auth[k] !== undefined);
  const expected = type === 'API_KEY' ? 'apiKey' : type === 'BASIC' ? 'basic' : 'oauth';
  if (present.length !== 1 || present[0] !== expected) {
    throw validationError(`AuthParameters must contain exactly the parameters of AuthorizationType ${type}.`);
  }
  if (auth.apiKey) {
    checkText(auth.apiKey.apiKeyName, 'ApiKeyName', NO_COLON_TEXT);
    checkText(auth.apiKey.apiKeyValue, 'ApiKeyValue', TEXT);
  }
  if (auth.basic) {
    checkText(auth.basic.username, 'Username', NO_COLON_TEXT);
    checkText(auth.basic.password, 'Password', TEXT);
  }
  if (auth.oauth) {
    checkText(auth.oauth.clientId, 'ClientID', NO_COLON_TEXT);
    checkText(auth.oauth.clientSecret, 'ClientSecret', TEXT);
    if (!['GET', 'POST', 'PUT'].includes(auth.oauth.httpMethod)) throw validationError('OAuth HttpMethod must be GET, POST or PUT.');
    if (typeof auth.oauth.authorizationEndpoint !== 'string') throw validationError('AuthorizationEndpoint must be specified.');
    checkEndpointUrl(auth.oauth.authorizationEndpoint, 'AuthorizationEndpoint');
    validateHttpParameters(auth.oauth.oauthHttpParameters, 'OAuthHttpParameters');
  }
  validateHttpParameters(auth.invocationHttpParameters, 'InvocationHttpParameters');
}
