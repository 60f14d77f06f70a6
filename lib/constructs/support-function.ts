import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SqsEventSource, type SqsEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '#lambdas/shared/event-contract';
import { LAMBDA_BUNDLING, LAMBDA_NODE_OPTIONS } from '#lib/constructs/lambda-bundling';
import { setLogicalId } from '#lib/logical-id';
import type { Stage } from '#lib/stage';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const METRICS_NAMESPACE = 'OmnichannelSupport';
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;

/** Handler files under lambdas/handlers/, each exporting `handler`. */
export type HandlerName =
  | 'webhook'
  | 'normalizer'
  | 'agent'
  | 'outbound-send'
  | 'status-tracking'
  | 'human-agent-api'
  | 'media-download'
  | 'account-health'
  | 'templates-api'
  | 'template-events'
  | 'onboarding-api'
  | 'reply-watch'
  | 'operator-token-claims'
  | 'admin-api'
  | 'routing'
  | 'agent-push'
  | 'websocket-authorizer'
  | 'websocket-connection'
  | 'contacts'
  | 'bot-conversation-end'
  | 'integration-dispatch'
  | 'integration-dead-letters'
  | 'integrations-api'
  | 'spend-api'
  | 'spend-outcomes'
  | 'instagram-token-refresh'
  | 'campaign-release'
  | 'campaign-send'
  | 'campaigns-api';

export interface SupportFunctionProps {
  /** Logical id of the function; its role and log group get this id plus a suffix. */
  readonly logicalId: string;
  readonly handler: HandlerName;
  readonly description: string;
  readonly stage: Stage;
  /** Powertools service name; appears on every log line and metric. */
  readonly serviceName: string;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  /** Caps the function's concurrency (and so its share of the account's pool). */
  readonly reservedConcurrentExecutions?: number;
  readonly environment?: Readonly<Record<string, string>>;
  readonly logRetention?: logs.RetentionDays;
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * Every Lambda of the pipeline, with the same defaults: Node 22 on arm64, ESM bundle built by the
 * local esbuild, X-Ray tracing, its own log group with bounded retention, and a role that starts with
 * nothing but writing to that log group (callers grant the rest, one resource at a time).
 */
export class SupportFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  private readonly logicalId: string;

  constructor(scope: Construct, id: string, props: SupportFunctionProps) {
    super(scope, id);
    this.logicalId = props.logicalId;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy,
    });
    setLogicalId(this.logGroup, `${props.logicalId}LogGroup`);

    // An explicit role instead of AWSLambdaBasicExecutionRole: that managed policy lets the
    // function write to any log group in the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.logicalId}`,
    });
    setLogicalId(this.role, `${props.logicalId}Role`);
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}lambdas/handlers/${props.handler}.ts`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: this.logGroup,
      role: this.role,
      environment: {
        NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        [ENV.stage]: props.stage,
        ...props.environment,
      },
      // The esbuild options live in lib/constructs/lambda-bundling.ts, shared with the bundle benchmark.
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        banner: LAMBDA_BUNDLING.banner,
        target: LAMBDA_BUNDLING.target,
        minify: LAMBDA_BUNDLING.minify,
        sourceMap: LAMBDA_BUNDLING.sourcemap,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: LAMBDA_BUNDLING.sourcesContent,
        // The SDK the handlers were tested with ships in the bundle, not whatever the runtime carries.
        bundleAwsSDK: true,
        esbuildArgs: Object.fromEntries(Object.entries(LAMBDA_BUNDLING.alias).map(([from, to]) => [`--alias:${from}`, to])),
        tsconfig: LAMBDA_BUNDLING.tsconfig,
        logLevel: LogLevel.WARNING,
      },
    });
    setLogicalId(this.function, props.logicalId);

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'The project pins Node.js 22 (the runtime its handlers and local cloud are tested on); moving to a newer runtime is a deliberate upgrade, not a drift.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions, so CDK grants them on "*" for active tracing.',
    });
  }

  /**
   * Feeds the function from `queue`, always reporting partial batch failures so one bad record
   * does not send its whole batch back. The mapping is named `<function>EventSourceMapping`.
   */
  consumeQueue(queue: sqs.IQueue, options: Omit<SqsEventSourceProps, 'reportBatchItemFailures'>): lambda.EventSourceMapping {
    this.function.addEventSource(new SqsEventSource(queue, { ...options, reportBatchItemFailures: true }));
    const mappings = this.function.node.children.filter((child): child is lambda.EventSourceMapping => child instanceof lambda.EventSourceMapping);
    const mapping = mappings.at(-1);
    if (!mapping) throw new Error(`${this.logicalId} has no event source mapping for ${queue.node.path}`);
    setLogicalId(mapping, `${this.logicalId}EventSourceMapping`);
    return mapping;
  }
}
