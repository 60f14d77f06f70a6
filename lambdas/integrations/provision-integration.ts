import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeleteApiDestinationCommand,
  DeleteConnectionCommand,
  DeleteRuleCommand,
  DescribeConnectionCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  UpdateApiDestinationCommand,
  UpdateConnectionCommand,
  type CreateConnectionAuthRequestParameters,
  type EventBridgeClient,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { queryStringParameters, staticHeaderParameters } from '#lambdas/integrations/delivery-parameters';
import type { DestinationSpec, Integration, IntegrationAuth } from '#lambdas/integrations/integration-model';
import type { MapperRegistry } from '#lambdas/integrations/mappers/index';
import { integrationResourceNames } from '#lambdas/integrations/resource-names';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { ProvisioningError } from '#lambdas/integrations/errors';

/**
 * The AWS resources that carry one integration's deliveries, made through the EventBridge API:
 *
 *   connection (the credentials; EventBridge keeps them in its own Secrets Manager secret)
 *   per destination of the kind's mapper:
 *     API destination  baseUrl + pathTemplate, method, rate limit
 *     rule             on the bus: this integration's `integration.delivery_requested` for this destination
 *     target           the API destination, with the invoke role, body `$.detail.request.body`,
 *                      path parameters and query parameters (idempotency key, webhook signature)
 *                      read from the event, literal headers only, retries and the integrations DLQ
 *
 * Every call is an upsert (create, or update what exists), so provisioning again after a failure
 * half-way, or after a change, converges on the same resources. One integration of a kind with N
 * destinations costs 1 connection, N API destinations and N rules (docs/integrations.md § Quotas).
 */
export interface ProvisionDeps {
  eventBridge: Pick<EventBridgeClient, 'send'>;
  busName: string;
  /** The role EventBridge assumes to invoke the API destinations (events:InvokeApiDestination on the prefix). */
  invokeRoleArn: string;
  /** Where EventBridge puts a delivery it gave up on. */
  deadLetterQueueArn: string;
  names: { namePrefix: string; secretPrefix: string };
  mappers: MapperRegistry;
}

/** EventBridge's maximums for rule targets (24 hours, 185 attempts): a business's endpoint may be down for a day. */
export const TARGET_RETRY_POLICY = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 } as const;
/**
 * A destination whose create cannot be made idempotent (`DestinationSpec.singleAttempt`): no retry,
 * so a timeout whose request did arrive is not sent again on its own. The event may still wait up
 * to a day under the destination's rate limit.
 */
export const SINGLE_ATTEMPT_RETRY_POLICY = { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 86_400 } as const;
export const API_DESTINATION_TARGET_ID = 'api-destination';

export type IntegrationResources = NonNullable<Integration['resources']>;

export function destinationsOf(deps: Pick<ProvisionDeps, 'mappers'>, integration: Pick<Integration, 'kind'>): DestinationSpec[] {
  const mapper = deps.mappers(integration.kind);
  if (!mapper) throw new ProvisioningError('mapper', 'no_mapper_for_kind');
  return mapper.destinations;
}

/** The URL EventBridge calls for one destination: the base URL without its trailing `/`, then the path template. */
export function invocationEndpoint(baseUrl: string, spec: DestinationSpec): string {
  return `${baseUrl.replace(/\/+$/, '')}${spec.pathTemplate}`;
}

/** The rule's pattern: this integration's delivery requests for this destination, nothing else. */
export function deliveryPattern(integration: Pick<Integration, 'businessId' | 'integrationId'>, destinationKey: string): Record<string, unknown> {
  return {
    source: [EVENT_SOURCE.integrations],
    'detail-type': [DETAIL_TYPE.integrationDeliveryRequested],
    detail: {
      businessId: [integration.businessId],
      integrationId: [integration.integrationId],
      request: { destination: [destinationKey] },
    },
  };
}

export function connectionAuth(auth: IntegrationAuth): {
  AuthorizationType: 'API_KEY' | 'BASIC' | 'OAUTH_CLIENT_CREDENTIALS';
  AuthParameters: CreateConnectionAuthRequestParameters;
} {
  switch (auth.type) {
    case 'api_key':
      return { AuthorizationType: 'API_KEY', AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: auth.headerName, ApiKeyValue: auth.apiKey } } };
    case 'basic':
      return { AuthorizationType: 'BASIC', AuthParameters: { BasicAuthParameters: { Username: auth.username, Password: auth.password } } };
    case 'oauth_client_credentials':
      return {
        AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
        AuthParameters: {
          OAuthParameters: {
            ClientParameters: { ClientID: auth.clientId, ClientSecret: auth.clientSecret },
            AuthorizationEndpoint: auth.tokenUrl,
            HttpMethod: 'POST',
            OAuthHttpParameters: {
              BodyParameters: [
                { Key: 'grant_type', Value: 'client_credentials', IsValueSecret: false },
                ...(auth.scope ? [{ Key: 'scope', Value: auth.scope, IsValueSecret: false }] : []),
              ],
            },
          },
        },
      };
  }
}

/** The target of one destination's rule. */
/**
 * The target of one destination's rule. Values that change per delivery are JSON paths into the
 * event, which EventBridge resolves in PathParameterValues and QueryStringParameters but not in
 * HeaderParameters (sent as written): see delivery-parameters.ts.
 */
export function deliveryTarget(
  deps: Pick<ProvisionDeps, 'invokeRoleArn' | 'deadLetterQueueArn'>,
  integration: Pick<Integration, 'kind' | 'integrationId'>,
  spec: DestinationSpec,
  apiDestinationArn: string,
): Target {
  const wildcards = (spec.pathTemplate.match(/\*/g) ?? []).length;
  const headers = staticHeaderParameters(integration);
  return {
    Id: API_DESTINATION_TARGET_ID,
    Arn: apiDestinationArn,
    RoleArn: deps.invokeRoleArn,
    InputPath: '$.detail.request.body',
    HttpParameters: {
      ...(wildcards > 0 ? { PathParameterValues: Array.from({ length: wildcards }, (_, i) => `$.detail.request.pathParams[${i}]`) } : {}),
      QueryStringParameters: queryStringParameters(integration.kind),
      ...(headers ? { HeaderParameters: headers } : {}),
    },
    RetryPolicy: { ...(spec.singleAttempt ? SINGLE_ATTEMPT_RETRY_POLICY : TARGET_RETRY_POLICY) },
    DeadLetterConfig: { Arn: deps.deadLetterQueueArn },
  };
}

const nameOf = (err: unknown): string => (err as { name?: string } | null)?.name ?? 'Error';
const isNotFound = (err: unknown) => nameOf(err) === 'ResourceNotFoundException';
const isAlreadyThere = (err: unknown) => nameOf(err) === 'ResourceAlreadyExistsException';

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ProvisioningError) throw err;
    throw new ProvisioningError(name, nameOf(err), { cause: err });
  }
}

/**
 * Makes (or brings up to date) the integration's connection, API destinations, rules and targets.
 * `auth` is the admin's credentials (required the first time; on a later call without them the
 * connection keeps its own). Destinations the kind no longer has are removed.
 */
export async function provisionIntegration(deps: ProvisionDeps, integration: Integration, auth: IntegrationAuth | undefined): Promise<IntegrationResources> {
  const names = integrationResourceNames(deps.names, integration.businessId, integration.integrationId);
  const specs = destinationsOf(deps, integration);
  const description = `Omnichannel integration ${integration.integrationId} of ${integration.businessId}`.slice(0, 512);

  const connectionArn = await step('connection', async () => {
    if (!auth) {
      const out = await deps.eventBridge.send(new DescribeConnectionCommand({ Name: names.connection }));
      if (!out.ConnectionArn) throw new ProvisioningError('connection', 'credentials_needed');
      return out.ConnectionArn;
    }
    const params = connectionAuth(auth);
    try {
      const out = await deps.eventBridge.send(new CreateConnectionCommand({ Name: names.connection, Description: description, ...params }));
      return out.ConnectionArn!;
    } catch (err) {
      if (!isAlreadyThere(err)) throw err;
      const out = await deps.eventBridge.send(new UpdateConnectionCommand({ Name: names.connection, Description: description, ...params }));
      return out.ConnectionArn!;
    }
  });

  const apiDestinationArns: Record<string, string> = {};
  for (const spec of specs) {
    const destination = {
      Name: names.apiDestination(spec.key),
      Description: `${description}: ${spec.key}`.slice(0, 512),
      ConnectionArn: connectionArn,
      InvocationEndpoint: invocationEndpoint(integration.baseUrl, spec),
      HttpMethod: spec.method,
      InvocationRateLimitPerSecond: integration.rateLimitPerSecond,
    };
    apiDestinationArns[spec.key] = await step(`api destination ${spec.key}`, async () => {
      try {
        return (await deps.eventBridge.send(new CreateApiDestinationCommand(destination))).ApiDestinationArn!;
      } catch (err) {
        if (!isAlreadyThere(err)) throw err;
        return (await deps.eventBridge.send(new UpdateApiDestinationCommand(destination))).ApiDestinationArn!;
      }
    });
    await step(`rule ${spec.key}`, () =>
      deps.eventBridge.send(
        new PutRuleCommand({
          Name: names.rule(spec.key),
          EventBusName: deps.busName,
          EventPattern: JSON.stringify(deliveryPattern(integration, spec.key)),
          State: 'ENABLED',
          Description: `${description}: deliveries to ${spec.key}`.slice(0, 512),
        }),
      ),
    );
    await step(`target ${spec.key}`, async () => {
      const out = await deps.eventBridge.send(
        new PutTargetsCommand({
          Rule: names.rule(spec.key),
          EventBusName: deps.busName,
          Targets: [deliveryTarget(deps, integration, spec, apiDestinationArns[spec.key]!)],
        }),
      );
      // PutTargets answers 200 with the failed entries counted.
      if (out.FailedEntryCount) throw new ProvisioningError(`target ${spec.key}`, out.FailedEntries?.[0]?.ErrorCode ?? 'FailedEntry');
    });
  }

  const gone = Object.keys(integration.resources?.apiDestinationArns ?? {}).filter((key) => !specs.some((s) => s.key === key));
  for (const key of gone) await removeDestination(deps, names, key);

  return {
    connectionArn,
    apiDestinationArns,
    ruleName: names.stem,
    ...(integration.resources?.signingSecretId ? { signingSecretId: integration.resources.signingSecretId } : {}),
  };
}

/**
 * Takes every delivery resource of the integration away (disable, delete): targets, rules, API
 * destinations, then the connection. What is already gone is skipped, so it can run again.
 */
export async function removeIntegrationResources(deps: ProvisionDeps, integration: Integration): Promise<void> {
  const names = integrationResourceNames(deps.names, integration.businessId, integration.integrationId);
  const keys = new Set([
    ...Object.keys(integration.resources?.apiDestinationArns ?? {}),
    ...(deps.mappers(integration.kind)?.destinations ?? []).map((s) => s.key),
  ]);
  for (const key of keys) await removeDestination(deps, names, key);
  await step('connection', () => ignoreNotFound(deps.eventBridge.send(new DeleteConnectionCommand({ Name: names.connection }))));
}

async function removeDestination(deps: ProvisionDeps, names: ReturnType<typeof integrationResourceNames>, key: string): Promise<void> {
  const rule = names.rule(key);
  await step(`target ${key}`, () =>
    ignoreNotFound(deps.eventBridge.send(new RemoveTargetsCommand({ Rule: rule, EventBusName: deps.busName, Ids: [API_DESTINATION_TARGET_ID] }))),
  );
  await step(`rule ${key}`, () => ignoreNotFound(deps.eventBridge.send(new DeleteRuleCommand({ Name: rule, EventBusName: deps.busName }))));
  await step(`api destination ${key}`, () => ignoreNotFound(deps.eventBridge.send(new DeleteApiDestinationCommand({ Name: names.apiDestination(key) }))));
}

async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
