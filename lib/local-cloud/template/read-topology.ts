import { type CfnResource, type CfnTemplate, resourcesOfType } from '#lib/local-cloud/template/cfn-template';
import { readWebSocketApis, type WebSocketApiSpec } from '#lib/local-cloud/template/read-websocket-apis';

export interface QueueSpec {
  logicalId: string;
  name: string;
  fifo: boolean;
  /** SQS attributes as strings, as CreateQueue takes them (RedrivePolicy resolved separately). */
  attributes: Record<string, string>;
  deadLetterQueueLogicalId?: string;
  maxReceiveCount?: number;
}

export interface RuleTargetSpec {
  id: string;
  queueLogicalId: string;
  messageGroupId?: string;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  deadLetterQueueLogicalId?: string;
}

export interface RuleSpec {
  logicalId: string;
  name: string;
  busLogicalId?: string;
  eventPattern: Record<string, unknown>;
  enabled: boolean;
  targets: RuleTargetSpec[];
}

export interface FunctionSpec {
  logicalId: string;
  /** Object key of the code asset (matches the cloud assembly's assets manifest). */
  assetObjectKey: string;
  handler: string;
  environment: Record<string, unknown>;
  timeoutSeconds: number;
  memoryMb: number;
  reservedConcurrency?: number;
}

export interface EventSourceMappingSpec {
  logicalId: string;
  functionLogicalId: string;
  queueLogicalId: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  maximumConcurrency?: number;
  enabled: boolean;
}

export interface RouteSpec {
  routeKey: string;
  functionLogicalId: string;
  /** NONE, JWT, AWS_IAM or CUSTOM, as the template sets it (NONE when absent). */
  authorizationType: string;
  authorizerLogicalId?: string;
  authorizationScopes: string[];
}

/** An `AWS::ApiGatewayV2::Authorizer`; issuer and audience still carry their intrinsics. */
export interface AuthorizerSpec {
  logicalId: string;
  authorizerType: string;
  /** The request header the token is read from (`$request.header.Authorization` → `authorization`). */
  identityHeader: string;
  issuer: unknown;
  audience: unknown[];
}

export interface UserPoolSpec {
  logicalId: string;
  /** Its app clients' logical ids, in template order. */
  clientLogicalIds: string[];
}

/** The parts of an `AWS::Events::Rule` target the local cloud reads. */
interface CfnRuleTarget {
  Id?: unknown;
  Arn?: unknown;
  SqsParameters?: { MessageGroupId?: unknown };
  RetryPolicy?: { MaximumRetryAttempts?: unknown; MaximumEventAgeInSeconds?: unknown };
  DeadLetterConfig?: { Arn?: unknown };
}

export interface LocalTopology {
  queues: QueueSpec[];
  tables: Array<{ logicalId: string; name: string; properties: NonNullable<CfnResource['Properties']> }>;
  buses: Array<{ logicalId: string; name: string }>;
  rules: RuleSpec[];
  secrets: Array<{
    logicalId: string;
    name: string;
    description?: string;
    /** A fixed SecretString, or the template of a generated one. */
    secretStringTemplate?: string;
    generateStringKey?: string;
  }>;
  buckets: Array<{ logicalId: string; name: string }>;
  functions: FunctionSpec[];
  mappings: EventSourceMappingSpec[];
  routes: RouteSpec[];
  authorizers: AuthorizerSpec[];
  userPools: UserPoolSpec[];
  /** WebSocket APIs (their routes are not in `routes`, which are the HTTP API's). */
  webSocketApis: WebSocketApiSpec[];
}

/** The logical id a `Ref`, `Fn::GetAtt` or a `Fn::Join` around one of them points at. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return String(getAtt[0]);
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  const join = v['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) {
    for (const part of join[1]) {
      const id = referencedLogicalId(part);
      if (id) return id;
    }
  }
  return undefined;
}

const SQS_ATTRIBUTE_PROPS = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'MaximumMessageSize',
  'ReceiveMessageWaitTimeSeconds',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'FifoQueue',
] as const;

/**
 * Reads the resources the local cloud runs from a synthesized template. Names follow the
 * template where it sets them and fall back to the logical id, which CDK keeps stable here.
 */
export function readTopology(template: CfnTemplate): LocalTopology {
  const queues: QueueSpec[] = resourcesOfType(template, 'AWS::SQS::Queue').map(([logicalId, r]) => {
    const p = r.Properties ?? {};
    const fifo = p.FifoQueue === true || p.FifoQueue === 'true';
    const attributes: Record<string, string> = {};
    for (const key of SQS_ATTRIBUTE_PROPS) if (p[key] !== undefined) attributes[key] = String(p[key]);
    const redrive = p.RedrivePolicy as { deadLetterTargetArn?: unknown; maxReceiveCount?: number | string } | undefined;
    const name = typeof p.QueueName === 'string' ? p.QueueName : `${logicalId}${fifo ? '.fifo' : ''}`;
    return {
      logicalId,
      name,
      fifo,
      attributes,
      ...(redrive ? { deadLetterQueueLogicalId: referencedLogicalId(redrive.deadLetterTargetArn), maxReceiveCount: Number(redrive.maxReceiveCount) } : {}),
    };
  });

  const tables = resourcesOfType(template, 'AWS::DynamoDB::Table').map(([logicalId, r]) => ({
    logicalId,
    name: typeof r.Properties?.TableName === 'string' ? r.Properties.TableName : logicalId,
    properties: r.Properties ?? {},
  }));

  const buses = resourcesOfType(template, 'AWS::Events::EventBus').map(([logicalId, r]) => ({
    logicalId,
    name: String(r.Properties?.Name ?? logicalId),
  }));

  const rules: RuleSpec[] = resourcesOfType(template, 'AWS::Events::Rule').map(([logicalId, r]) => {
    const p = r.Properties ?? {};
    return {
      logicalId,
      name: typeof p.Name === 'string' ? p.Name : logicalId,
      busLogicalId: referencedLogicalId(p.EventBusName),
      eventPattern: p.EventPattern ?? {},
      enabled: p.State !== 'DISABLED',
      targets: (p.Targets ?? []).flatMap((t: CfnRuleTarget): RuleTargetSpec[] => {
        const queueLogicalId = referencedLogicalId(t.Arn);
        if (!queueLogicalId || template.Resources[queueLogicalId]?.Type !== 'AWS::SQS::Queue') return [];
        return [
          {
            id: String(t.Id),
            queueLogicalId,
            ...(t.SqsParameters?.MessageGroupId ? { messageGroupId: String(t.SqsParameters.MessageGroupId) } : {}),
            ...(t.RetryPolicy?.MaximumRetryAttempts !== undefined ? { maximumRetryAttempts: Number(t.RetryPolicy.MaximumRetryAttempts) } : {}),
            ...(t.RetryPolicy?.MaximumEventAgeInSeconds !== undefined ? { maximumEventAgeInSeconds: Number(t.RetryPolicy.MaximumEventAgeInSeconds) } : {}),
            ...(t.DeadLetterConfig?.Arn ? { deadLetterQueueLogicalId: referencedLogicalId(t.DeadLetterConfig.Arn) } : {}),
          },
        ];
      }),
    };
  });

  const secrets = resourcesOfType(template, 'AWS::SecretsManager::Secret').map(([logicalId, r]) => {
    const p = r.Properties ?? {};
    return {
      logicalId,
      name: typeof p.Name === 'string' ? p.Name : logicalId,
      ...(p.Description ? { description: String(p.Description) } : {}),
      ...(typeof p.SecretString === 'string' ? { secretStringTemplate: p.SecretString } : {}),
      ...(p.GenerateSecretString?.SecretStringTemplate ? { secretStringTemplate: String(p.GenerateSecretString.SecretStringTemplate) } : {}),
      ...(p.GenerateSecretString?.GenerateStringKey ? { generateStringKey: String(p.GenerateSecretString.GenerateStringKey) } : {}),
    };
  });

  const buckets = resourcesOfType(template, 'AWS::S3::Bucket').map(([logicalId, r]) => ({
    logicalId,
    name: typeof r.Properties?.BucketName === 'string' ? r.Properties.BucketName : logicalId.toLowerCase(),
  }));

  const functions: FunctionSpec[] = resourcesOfType(template, 'AWS::Lambda::Function').map(([logicalId, r]) => {
    const p = r.Properties ?? {};
    return {
      logicalId,
      assetObjectKey: String(p.Code?.S3Key ?? ''),
      handler: String(p.Handler ?? 'index.handler'),
      environment: p.Environment?.Variables ?? {},
      timeoutSeconds: Number(p.Timeout ?? 3),
      memoryMb: Number(p.MemorySize ?? 128),
      ...(p.ReservedConcurrentExecutions !== undefined ? { reservedConcurrency: Number(p.ReservedConcurrentExecutions) } : {}),
    };
  });

  const mappings: EventSourceMappingSpec[] = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').flatMap(([logicalId, r]) => {
    const p = r.Properties ?? {};
    const queueLogicalId = referencedLogicalId(p.EventSourceArn);
    const functionLogicalId = referencedLogicalId(p.FunctionName);
    if (!queueLogicalId || !functionLogicalId) return [];
    return [
      {
        logicalId,
        functionLogicalId,
        queueLogicalId,
        batchSize: Number(p.BatchSize ?? 10),
        maximumBatchingWindowSeconds: Number(p.MaximumBatchingWindowInSeconds ?? 0),
        reportBatchItemFailures: (p.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
        ...(p.ScalingConfig?.MaximumConcurrency ? { maximumConcurrency: Number(p.ScalingConfig.MaximumConcurrency) } : {}),
        enabled: p.Enabled !== false,
      },
    ];
  });

  const integrations = new Map(
    resourcesOfType(template, 'AWS::ApiGatewayV2::Integration').map(([id, r]) => [id, referencedLogicalId(r.Properties?.IntegrationUri)]),
  );
  const webSocketApis = readWebSocketApis(template);
  const webSocketApiIds = new Set(webSocketApis.map((a) => a.logicalId));
  const routes: RouteSpec[] = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').flatMap(([, r]) => {
    if (webSocketApiIds.has(referencedLogicalId(r.Properties?.ApiId) ?? '')) return [];
    const integrationId = referencedLogicalId(r.Properties?.Target);
    const functionLogicalId = integrationId ? integrations.get(integrationId) : undefined;
    if (!functionLogicalId) return [];
    const p = r.Properties ?? {};
    const authorizerLogicalId = referencedLogicalId(p.AuthorizerId);
    return [
      {
        routeKey: String(p.RouteKey),
        functionLogicalId,
        authorizationType: typeof p.AuthorizationType === 'string' ? p.AuthorizationType : 'NONE',
        ...(authorizerLogicalId ? { authorizerLogicalId } : {}),
        authorizationScopes: Array.isArray(p.AuthorizationScopes) ? p.AuthorizationScopes.map(String) : [],
      },
    ];
  });

  const authorizers: AuthorizerSpec[] = resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer').map(([logicalId, r]) => {
    const p = r.Properties ?? {};
    const source = Array.isArray(p.IdentitySource) ? String(p.IdentitySource[0] ?? '') : String(p.IdentitySource ?? '');
    const header = /^\$request\.header\.(.+)$/.exec(source)?.[1];
    return {
      logicalId,
      authorizerType: String(p.AuthorizerType ?? ''),
      identityHeader: (header ?? 'Authorization').toLowerCase(),
      issuer: p.JwtConfiguration?.Issuer,
      audience: Array.isArray(p.JwtConfiguration?.Audience) ? p.JwtConfiguration.Audience : [],
    };
  });

  const clients = resourcesOfType(template, 'AWS::Cognito::UserPoolClient');
  const userPools: UserPoolSpec[] = resourcesOfType(template, 'AWS::Cognito::UserPool').map(([logicalId]) => ({
    logicalId,
    clientLogicalIds: clients.filter(([, c]) => referencedLogicalId(c.Properties?.UserPoolId) === logicalId).map(([id]) => id),
  }));

  return { queues, tables, buses, rules, secrets, buckets, functions, mappings, routes, authorizers, userPools, webSocketApis };
}
