import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSBatchResponse } from 'aws-lambda';
import { type AwsEmulator, startAwsEmulator } from '#lib/local-cloud/aws/aws-emulator';
import { type EventSourceMapping, startEventSourceMapping } from '#lib/local-cloud/aws/lambda/event-source-mapping';
import { createTableFromCfn, type CfnTableProperties } from '#lib/local-cloud/create-table';
import { type DynamoDbLocal, LOCAL_CREDENTIALS, startDynamoDbLocal } from '#lib/local-cloud/dynamodb-local';
import { type GraphSimulator, type GraphSimulatorOptions, startGraphSimulator } from '#lib/local-cloud/graph-simulator/index';
import { type CrmSimulator, type CrmSimulatorOptions, startCrmSimulator } from '#lib/local-cloud/crm-simulator/index';
import { freePort } from '#lib/local-cloud/free-port';
import { defaultLocalTenants, type LocalTenant, seedLocalTenants, simulatorAccountsOf } from '#lib/local-cloud/local-tenants';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { type HttpApi, startHttpApi } from '#lib/local-cloud/http-api';
import { startSampleOrderApi } from '#lib/local-cloud/anthropic-simulator/sample-order-api';
import { localBusinessToolsSecrets } from '#lib/local-cloud/anthropic-simulator/local-business-tools';
import { type FaultInjector, FunctionPool, type LogSink } from '#lib/local-cloud/lambda-runtime/function-pool';
import type { LocalAssembly } from '#lib/local-cloud/synthesize-local-assembly';
import { type IntrinsicContext, type LocalResourceValues, resolveIntrinsics } from '#lib/local-cloud/template/intrinsics';
import { resourcesOfType } from '#lib/local-cloud/template/cfn-template';
import { type LocalTopology, readTopology } from '#lib/local-cloud/template/read-topology';
import { jwtOfRoute, type LocalIdentity, LocalIdentityProviders } from '#lib/local-cloud/identity/local-identity';
import { LOCAL_AUTH_PATHS } from '#lib/local-cloud/identity/identity-endpoints';
import { LOCAL_WEBSOCKET_PATH, LocalWebSocketApi, localWebSocketEnvironment } from '#lib/local-cloud/websocket-api';
import type { LocalSignInPerson } from '#lib/local-cloud/identity/local-sign-in-people';
import { consoleEndpoints, CONSOLE_PATH, localConsoleConfig } from '#lib/local-cloud/console-assets';
import { type LocalSchedules, readSchedules, startLocalSchedules } from '#lib/local-cloud/scheduled-invocations';

/** Defaults documented in the README; both the webhook and the simulator use them. */
export const LOCAL_DEFAULTS = {
  port: 3000,
  graphSimPort: 3100,
  /** The CRM simulator (HubSpot, Salesforce, Zendesk, a business webhook): `http://127.0.0.1:3200/<crm>`. */
  crmSimPort: 3200,
  dynamoDbPort: 8000,
  awsPort: 4566,
  appSecret: 'local-app-secret',
  verifyToken: 'local-verify-token',
  accessToken: 'local-access-token',
  /** The Meta app id onboarding's code exchange sends to the simulator. */
  metaAppId: '900000000000001',
  /** The Instagram app of Business Login for Instagram (its id and secret are not the Meta app's). */
  instagramAppId: '910000000000001',
  instagramAppSecret: 'local-instagram-app-secret',
} as const;

export interface LocalCloudOptions {
  assembly: LocalAssembly;
  /** API port (webhook at /webhook); 0 picks a free port. */
  port?: number;
  graphSimPort?: number;
  /** CRM simulator port; 0 picks a free port. */
  crmSimPort?: number;
  crm?: Omit<CrmSimulatorOptions, 'port'>;
  dynamoDbPort?: number;
  awsPort?: number;
  appSecret?: string;
  verifyToken?: string;
  anthropicApiKey?: string;
  /** Receives every line the functions log (their CloudWatch stream, locally). */
  logSink?: LogSink;
  /** Local-only fault injection: crash an invocation before it runs. */
  faults?: FaultInjector;
  graph?: Omit<GraphSimulatorOptions, 'port' | 'webhookUrl' | 'appSecret'>;
  /** Execution environments per function when the template reserves none (Lambda would scale further; 8 threads is plenty on one machine). */
  defaultConcurrency?: number;
  /**
   * Businesses served, registered in the channel account registry at start with their own token
   * secrets; the simulator plays their accounts and accepts only each one's token. Default: one
   * local business with the simulator's WhatsApp number, Instagram account and Page.
   */
  tenants?: LocalTenant[];
  /** Extra environment for every function (e.g. tuning for tests). */
  extraEnvironment?: Record<string, string>;
  /** Where DynamoDB Local keeps its files; in memory when absent. */
  dynamoDbDataPath?: string;
  /**
   * Test-only time compression: every queue's visibility timeout multiplied by this (at least one
   * second). After a crashed invocation, records come back after the visibility timeout, which
   * the template sets to minutes; a chaos run in CI cannot wait that long for each crash.
   */
  visibilityTimeoutScale?: number;
  /**
   * Test-only time compression of queues' delivery delays (the reply watch's quarter of an hour):
   * multiplied by this, rounded to whole seconds.
   */
  deliveryDelayScale?: number;
  /** The people the local sign-in page offers; default the demo business's agents, supervisor and admin and one person of another business. */
  signInPeople?: LocalSignInPerson[];
  /** The console's build to serve at `/console/`; default `console/dist`. */
  consoleDistDir?: string;
  /** Test-only time compression of scheduled functions' rates (the end-of-conversation sweep's quarter of an hour). */
  scheduleIntervalScale?: number;
}

export interface LocalCloud {
  webhookUrl: string;
  apiUrl: string;
  graphUrl: string;
  dynamoDbEndpoint: string;
  awsEndpoint: string;
  tableName: string;
  topology: LocalTopology;
  aws: AwsEmulator;
  graph: GraphSimulator;
  /** The CRM simulator's URL; a CRM's base URL is `<crmUrl>/<crm>`, the webhook receiver `<crmUrl>/webhook/...`. */
  crmUrl: string;
  crm: CrmSimulator;
  dynamo: DynamoDbLocal;
  functions: Map<string, FunctionPool>;
  mappings: Map<string, EventSourceMapping>;
  /** Name of each queue by logical id (e.g. IngressQueue). */
  queueNames: Map<string, string>;
  appSecret: string;
  verifyToken: string;
  /** The sample business order API the agent's order look-up calls locally. */
  orderApiUrl: string;
  /** The local stand-in for the operators' Cognito user pool; absent when the template has none. */
  identity?: LocalIdentity;
  /** The agents' WebSocket API (`ws://…/ws?token=<access token>`); absent when the template has none. */
  webSocketUrl?: string;
  webSocketApi?: LocalWebSocketApi;
  /** The agent console (`<api>/console/`), served from `console/dist` when built. */
  consoleUrl: string;
  /** The template's scheduled functions (EventBridge Scheduler), run on their rate; `runNow` fires one. */
  schedules: LocalSchedules;
  stop(): Promise<void>;
}

/**
 * Runs the synthesized pipeline on this machine: the template's queues, rules, tables, secrets
 * and buckets in local equivalents, and its Lambda bundles, unchanged, in worker threads that
 * reach those equivalents through the real AWS SDK clients.
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const { assembly } = options;
  const topology = readTopology(assembly.template);
  const appSecret = options.appSecret ?? LOCAL_DEFAULTS.appSecret;
  const verifyToken = options.verifyToken ?? LOCAL_DEFAULTS.verifyToken;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };

  try {
    const dynamo = await startDynamoDbLocal({
      ...(options.dynamoDbPort !== undefined ? { port: options.dynamoDbPort } : {}),
      ...(options.dynamoDbDataPath ? { dataPath: options.dynamoDbDataPath } : {}),
    });
    stops.push(() => dynamo.stop());
    const aws = await startAwsEmulator({ port: options.awsPort ?? 0 });
    stops.push(() => aws.close());

    const resources = new Map<string, LocalResourceValues>();
    const ctx: IntrinsicContext = { template: assembly.template, region: aws.region, accountId: aws.accountId, resources };
    // The user pools' ids are known before anything that names them (authorisers, environments).
    const identity = await LocalIdentityProviders.create(topology, ctx);

    // Dead-letter queues first: a queue's redrive policy names its DLQ's ARN.
    const queueNames = new Map<string, string>();
    const ordered = [...topology.queues].sort((a, b) => Number(!!a.deadLetterQueueLogicalId) - Number(!!b.deadLetterQueueLogicalId));
    for (const q of ordered) {
      const attributes: Record<string, string> = { ...q.attributes };
      const scale = options.visibilityTimeoutScale;
      if (scale !== undefined && attributes.VisibilityTimeout !== undefined) {
        attributes.VisibilityTimeout = String(Math.max(1, Math.round(Number(attributes.VisibilityTimeout) * scale)));
      }
      const delayScale = options.deliveryDelayScale;
      if (delayScale !== undefined && attributes.DelaySeconds !== undefined) {
        attributes.DelaySeconds = String(Math.round(Number(attributes.DelaySeconds) * delayScale));
      }
      if (q.deadLetterQueueLogicalId) {
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: resources.get(q.deadLetterQueueLogicalId)?.attributes.Arn,
          maxReceiveCount: q.maxReceiveCount ?? 5,
        });
      }
      const created = aws.sqs.createQueue(q.name, attributes);
      queueNames.set(q.logicalId, q.name);
      resources.set(q.logicalId, { ref: created.url, attributes: { Arn: created.arn, QueueUrl: created.url, QueueName: q.name } });
    }

    for (const t of topology.tables) {
      await createTableFromCfn(dynamo.client, t.name, t.properties as CfnTableProperties);
      resources.set(t.logicalId, {
        ref: t.name,
        attributes: { Arn: `arn:aws:dynamodb:${aws.region}:${aws.accountId}:table/${t.name}` },
      });
    }

    for (const b of topology.buckets) {
      aws.s3.createBucket(b.name, { ignoreExisting: true });
      resources.set(b.logicalId, { ref: b.name, attributes: { Arn: `arn:aws:s3:::${b.name}`, DomainName: `${b.name}.local` } });
    }

    for (const s of topology.secrets) {
      const value = localSecretValue(s, { appSecret, verifyToken, anthropicApiKey: options.anthropicApiKey });
      const created = aws.secrets.putSecret(s.name, value);
      resources.set(s.logicalId, { ref: created.arn, attributes: { Id: created.arn } });
    }

    // The registry: unregistered accounts' events are quarantined, so the local businesses are registered first.
    const tenants = options.tenants ?? defaultLocalTenants(LOCAL_DEFAULTS.accessToken);
    await seedLocalTenants({
      db: documentClient(dynamo.client),
      tableName: topology.tables[0]?.name ?? 'Table',
      secretNamePrefix: assembly.stackName,
      putSecret: (name, value) => void aws.secrets.putSecret(name, value),
      tenants,
    });

    for (const bus of topology.buses) {
      const created = aws.events.createEventBus(bus.name);
      resources.set(bus.logicalId, { ref: bus.name, attributes: { Arn: created.arn, Name: bus.name } });
    }
    // The bus archive, so events can be replayed locally as in AWS (`npm run replay -- --local`).
    for (const [logicalId, archive] of resourcesOfType(assembly.template, 'AWS::Events::Archive')) {
      const props = resolveIntrinsics(archive.Properties ?? {}, ctx) as {
        SourceArn?: string;
        ArchiveName?: string;
        EventPattern?: unknown;
        RetentionDays?: number;
      };
      if (typeof props.SourceArn !== 'string') continue;
      aws.events.createArchive(props.SourceArn, props.ArchiveName ?? logicalId, props.EventPattern as Record<string, unknown> | undefined, {
        ...(props.RetentionDays !== undefined ? { retentionDays: props.RetentionDays } : {}),
      });
    }
    for (const rule of topology.rules) {
      const busName = rule.busLogicalId ? (resources.get(rule.busLogicalId)?.ref ?? 'default') : 'default';
      const ref = aws.events.putRule(busName, rule.name, rule.eventPattern, { enabled: rule.enabled });
      for (const t of rule.targets) {
        aws.events.putTarget(ref, {
          id: t.id,
          queueName: queueNames.get(t.queueLogicalId)!,
          ...(t.messageGroupId ? { messageGroupId: t.messageGroupId } : {}),
          retryPolicy: {
            ...(t.maximumRetryAttempts !== undefined ? { maximumRetryAttempts: t.maximumRetryAttempts } : {}),
            ...(t.maximumEventAgeInSeconds !== undefined ? { maximumEventAgeInSeconds: t.maximumEventAgeInSeconds } : {}),
          },
          ...(t.deadLetterQueueLogicalId ? { deadLetterQueue: { queueName: queueNames.get(t.deadLetterQueueLogicalId)! } } : {}),
        });
      }
    }

    // The simulator must know the webhook URL before the API listens; pick the port first.
    const api = options.port === 0 ? await freePort() : (options.port ?? LOCAL_DEFAULTS.port);
    const webhookUrl = `http://127.0.0.1:${api}/webhook`;
    const graph = await startGraphSimulator({
      // Sends from any account are served (a person's reply into an old conversation); inbound events
      // of accounts not in the registry are quarantined by the normalizer, as in AWS.
      adoptUnknownAccounts: true,
      // Given businesses are the only ones played, each account accepting only its own token.
      ...(options.tenants ? { ...simulatorAccountsOf(options.tenants), adoptUnknownAccounts: false } : {}),
      // Business Login for Instagram: its app, whose secret signs Instagram Login accounts' webhooks.
      instagramApp: { appId: LOCAL_DEFAULTS.instagramAppId, appSecret: LOCAL_DEFAULTS.instagramAppSecret },
      ...options.graph,
      port: options.graphSimPort ?? LOCAL_DEFAULTS.graphSimPort,
      webhookUrl,
      appSecret,
    });
    stops.push(() => graph.close());
    // Outbound integrations (EventBridge API destinations) call the CRMs here.
    const crm = await startCrmSimulator({ ...options.crm, port: options.crmSimPort ?? LOCAL_DEFAULTS.crmSimPort });
    stops.push(() => crm.close());
    const orderApi = await startSampleOrderApi({ port: 0 });
    stops.push(() => orderApi.close());
    // Each local business's order look-up goes to the sample order API (its own tools secret).
    for (const s of localBusinessToolsSecrets(
      assembly.stackName,
      tenants.map((t) => t.businessId),
      orderApi,
    ))
      aws.secrets.putSecret(s.name, s.value);

    const functions = new Map<string, FunctionPool>();
    const logSink = options.logSink ?? (() => {});
    for (const fn of topology.functions) {
      const assetDir = assembly.assetDirectories.get(fn.assetObjectKey);
      if (!assetDir) throw new Error(`No bundled asset for ${fn.logicalId} (${fn.assetObjectKey}); synthesize with bundling on`);
      const [file, exportName] = splitHandler(fn.handler);
      const modulePath = ['.mjs', '.js', '.cjs'].map((ext) => join(assetDir, file + ext)).find((p) => existsSync(p));
      if (!modulePath) throw new Error(`Bundle ${assetDir}/${file}.mjs not found for ${fn.logicalId}`);
      const resolved = resolveIntrinsics(fn.environment, ctx) as Record<string, unknown>;
      const environment: Record<string, string> = {
        ...baseEnvironment(aws, dynamo),
        ...Object.fromEntries(Object.entries(resolved).map(([k, v]) => [k, String(v)])),
        // Sends go to the local simulator, whatever Graph URL the template carries.
        GRAPH_API_BASE_URL: graph.url,
        // So do Instagram Login's hosts (graph.instagram.com, api.instagram.com), each under its own path.
        INSTAGRAM_GRAPH_API_BASE_URL: graph.instagramGraphUrl,
        INSTAGRAM_OAUTH_BASE_URL: graph.instagramOAuthUrl,
        AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        // The WebSocket API's management endpoint and the operators' key set, served on the local API.
        ...localWebSocketEnvironment(resolved as Record<string, string>, {
          apiUrl: `http://127.0.0.1:${api}`,
          ...(topology.webSocketApis[0] ? { stageName: topology.webSocketApis[0].stageName } : {}),
          jwksUrl: `http://127.0.0.1:${api}${LOCAL_AUTH_PATHS.jwks}`,
        }),
        ...options.extraEnvironment,
      };
      const pool = new FunctionPool(
        {
          logicalId: fn.logicalId,
          functionName: fn.logicalId,
          modulePath,
          exportName,
          environment,
          timeoutSeconds: fn.timeoutSeconds,
          memoryMb: fn.memoryMb,
          concurrency: fn.reservedConcurrency ?? options.defaultConcurrency ?? 8,
        },
        logSink,
        options.faults,
      );
      functions.set(fn.logicalId, pool);
      resources.set(fn.logicalId, { ref: fn.logicalId, attributes: { Arn: `arn:aws:lambda:${aws.region}:${aws.accountId}:function:${fn.logicalId}` } });
    }
    stops.push(async () => {
      await Promise.all([...functions.values()].map((f) => f.close()));
    });
    // Scheduled functions run on their rate, as EventBridge Scheduler runs them (stopped before the functions).
    const schedules = startLocalSchedules({
      specs: readSchedules(assembly.template),
      invoke: (logicalId, payload) => functions.get(logicalId)!.invoke(payload),
      region: aws.region,
      accountId: aws.accountId,
      ...(options.scheduleIntervalScale !== undefined ? { intervalScale: options.scheduleIntervalScale } : {}),
    });
    stops.push(() => schedules.stop());

    const mappings = new Map<string, EventSourceMapping>();
    for (const m of topology.mappings) {
      if (!m.enabled) continue;
      const pool = functions.get(m.functionLogicalId)!;
      const mapping = startEventSourceMapping({
        sqs: aws.sqs,
        queueName: queueNames.get(m.queueLogicalId)!,
        batchSize: m.batchSize,
        maximumBatchingWindowMs: m.maximumBatchingWindowSeconds * 1000,
        reportBatchItemFailures: m.reportBatchItemFailures,
        maxConcurrency: Math.min(m.maximumConcurrency ?? pool.spec.concurrency, pool.spec.concurrency),
        invoke: (event) => pool.invoke<SQSBatchResponse | undefined>(event).then((r) => r ?? undefined),
        calls: aws.calls,
        pollWaitSeconds: 1,
      });
      mappings.set(m.queueLogicalId, mapping);
    }
    // Stop pollers before the functions and the emulator they talk to.
    stops.push(async () => {
      await Promise.all([...mappings.values()].map((m) => m.stop()));
    });

    const webSocketSpec = topology.webSocketApis[0];
    const webSocketApi = webSocketSpec
      ? new LocalWebSocketApi({
          spec: webSocketSpec,
          region: aws.region,
          accountId: aws.accountId,
          invoke: (logicalId, event) => functions.get(logicalId)!.invoke(event),
          record: (operation) => aws.calls.record('apigateway', operation),
        })
      : undefined;
    const http: HttpApi = await startHttpApi({
      port: api,
      ...(webSocketApi
        ? {
            intercept: (req, res) => webSocketApi.handleManagementRequest(req, res),
            upgrade: (req, socket, head) => webSocketApi.handleUpgrade(req, socket, head),
          }
        : {}),
      issuerKeys: identity.issuerKeys,
      localEndpoints: [
        ...identity.endpoints(() => `http://127.0.0.1:${api}`, options.signInPeople ? { people: options.signInPeople } : {}),
        ...consoleEndpoints({
          ...(options.consoleDistDir ? { distDir: options.consoleDistDir } : {}),
          config: () => localConsoleConfig(`http://127.0.0.1:${api}`, identity.handle(`http://127.0.0.1:${api}`)),
          // Media reach the console through signed URLs of the S3 emulator.
          mediaOrigins: () => [new URL(aws.endpoint).origin],
        }),
      ],
      routes: topology.routes.map((r) => ({
        routeKey: r.routeKey,
        jwt: jwtOfRoute(r, topology, ctx),
        invoke: (event) => {
          aws.calls.record('apigateway', 'Request');
          return functions.get(r.functionLogicalId)!.invoke(event);
        },
      })),
    });
    stops.push(() => http.close());
    // Open sockets keep the HTTP server from closing: they go first.
    if (webSocketApi) stops.push(() => webSocketApi.close());

    return {
      webhookUrl: `${http.url}/webhook`,
      apiUrl: http.url,
      graphUrl: graph.url,
      crmUrl: crm.url,
      crm,
      dynamoDbEndpoint: dynamo.endpoint,
      awsEndpoint: aws.endpoint,
      tableName: topology.tables[0]?.name ?? 'Table',
      topology,
      aws,
      graph,
      dynamo,
      functions,
      mappings,
      queueNames,
      appSecret,
      verifyToken,
      orderApiUrl: orderApi.url,
      identity: identity.handle(http.url),
      ...(webSocketApi ? { webSocketUrl: `${http.url.replace(/^http/, 'ws')}${LOCAL_WEBSOCKET_PATH}`, webSocketApi } : {}),
      consoleUrl: `${http.url}${CONSOLE_PATH}`,
      schedules,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  return dot < 0 ? [handler, 'handler'] : [handler.slice(0, dot), handler.slice(dot + 1)];
}

function baseEnvironment(aws: AwsEmulator, dynamo: DynamoDbLocal): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_OPTIONS: '--enable-source-maps',
    TZ: 'UTC',
    AWS_REGION: aws.region,
    AWS_DEFAULT_REGION: aws.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    ...aws.environment(),
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    // No X-Ray daemon locally.
    POWERTOOLS_TRACE_ENABLED: 'false',
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
  };
}

/**
 * Local secret values: the template's JSON template with the documented local defaults filled in
 * (`appSecret`, `verifyToken`, `apiKey`), and a `default` access token for the simulator.
 */
function localSecretValue(
  secret: LocalTopology['secrets'][number],
  values: { appSecret: string; verifyToken: string; anthropicApiKey?: string | undefined },
): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  try {
    value = secret.secretStringTemplate ? (JSON.parse(secret.secretStringTemplate) as Record<string, unknown>) : {};
  } catch {
    value = {};
  }
  if ('appSecret' in value || secret.generateStringKey === 'verifyToken') {
    value.appSecret = values.appSecret;
    value.verifyToken = values.verifyToken;
    value.appId = LOCAL_DEFAULTS.metaAppId;
    value.instagramAppId = LOCAL_DEFAULTS.instagramAppId;
    value.instagramAppSecret = LOCAL_DEFAULTS.instagramAppSecret;
  } else if ('apiKey' in value) {
    value.apiKey = values.anthropicApiKey ?? '';
  } else if (/token/i.test(secret.logicalId)) {
    value.default = LOCAL_DEFAULTS.accessToken;
  }
  if (secret.generateStringKey && value[secret.generateStringKey] === undefined) {
    value[secret.generateStringKey] = randomBytes(16).toString('hex');
  }
  return value;
}
