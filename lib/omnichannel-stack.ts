import { CfnOutput, Duration, NestedStack, Stack, type StackProps } from 'aws-cdk-lib';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ASSISTANT_ENV } from '#lambdas/agent/assistant/assistant-env';
import { MEDIA_BUCKET_ENV } from '#lambdas/media/media-env';
import { DOWNLOADABLE_MESSAGE_TYPES } from '#lambdas/media/media-received-detail';
import { DETAIL_TYPE, ENV, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { DEFAULT_GRAPH_API_BASE_URL, GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { ACCOUNT_HEALTH_TOPICS } from '#lambdas/accounts/apply-account-health';
import { grantAccountTokenSecretsRead } from '#lib/constructs/account-token-secrets';
import { grantBusinessToolsSecretsRead } from '#lib/constructs/business-tools-secrets';
import { businessToolsSecretPrefix } from '#lambdas/agent/assistant/business-tools-config';
import { AnalyticsExport } from '#lib/constructs/analytics-export';
import { EventBackbone } from '#lib/constructs/event-backbone';
import { EventConsumer } from '#lib/constructs/event-consumer';
import { AdminApi } from '#lib/constructs/admin-api';
import { HumanAgentApi } from '#lib/constructs/human-agent-api';
import { MediaStorage } from '#lib/constructs/media-storage';
import { Ingress, WEBHOOK_PATH } from '#lib/constructs/ingress';
import { type ApiProtectionSettings, EdgeProtection } from '#lib/constructs/api-protection';
import { Normalize, NORMALIZER_TIMEOUT } from '#lib/constructs/normalize';
import { Observability } from '#lib/constructs/observability';
import { OnboardingApi } from '#lib/constructs/onboarding-api';
import { type FederatedSignIn, type MachineClient, OperatorIdentity } from '#lib/constructs/operator-identity';
import { Secrets } from '#lib/constructs/secrets';
import { READ_WRITE_ITEM_ACTIONS, Storage } from '#lib/constructs/storage';
import { TemplatesApi } from '#lib/constructs/templates-api';
import { Routing } from '#lib/constructs/routing';
import { Contacts } from '#lib/constructs/contacts';
import { AgentPush } from '#lib/constructs/agent-push';
import { AgentConsole } from '#lib/constructs/agent-console';
import { Integrations } from '#lib/constructs/integrations';
import { BotConversationEnd } from '#lib/constructs/bot-conversation-end';
import { Campaigns } from '#lib/constructs/campaigns';
import { CampaignsApi } from '#lib/constructs/campaigns-api';
import { InstagramTokenRefresh } from '#lib/constructs/instagram-token-refresh';
import { Spend } from '#lib/constructs/spend';
import { visibilityTimeoutFor } from '#lib/queue-settings';
import { dataRemovalPolicy, edgeProtectionByDefault, isEphemeralStage, stackNameFor, type Stage } from '#lib/stage';
import { REPLY_WATCH_DELAY_SECONDS } from '#lambdas/outbound/watch-reply';
import type { StatusEventsSetting } from '#lambdas/status/announced-statuses';

// The Graph API version and host live in one module (docs/meta-api-version.md).
export { DEFAULT_GRAPH_API_BASE_URL } from '#lambdas/shared/graph-api-version';
export const DEFAULT_GRAPH_API_VERSION = GRAPH_API_VERSION;

export interface OmnichannelStackProps extends StackProps {
  readonly stage: Stage;
  readonly graphApiBaseUrl?: string;
  readonly graphApiVersion?: string;
  /**
   * Upper bound on concurrent conversational senders (default none: they grow with the numbers
   * served, each number bounded by its pacer; set one only to keep Lambda concurrency for other work).
   */
  readonly outboundMaxConcurrency?: number;
  /**
   * Upper bound on concurrent campaign senders (default none: campaign sends scale with the numbers
   * running campaigns, each bounded by its own pace; docs/capacity.md).
   */
  readonly campaignSendMaxConcurrency?: number;
  /** Claude model of the agent's generative answers (the agent's default when absent). */
  readonly anthropicModel?: string;
  /** Days customers' attachments are kept in the media bucket (default 90). */
  readonly mediaRetentionDays?: number;
  /** SNS topic every alarm notifies (else context `alarmTopicArn`); without one an encrypted topic is created. */
  readonly alarmTopicArn?: string;
  /** E-mail subscribed to the created alarm topic (else context `alarmEmail`). */
  readonly alarmEmail?: string;
  /**
   * Status changes of business messages published on the bus (else context `statusEvents`):
   * `failed` (default) publishes `message.failed` only; `all` adds `message.delivered` and
   * `message.read` (one EventBridge entry per receipt) for integrations that follow delivery.
   */
  readonly statusEvents?: StatusEventsSetting;
  /**
   * Throttles of the HTTP API (webhook routes apart from operator routes), the webhook's reserved
   * concurrency, and CloudFront + AWS WAF in front of the API (on by default outside dev and test).
   * See docs/api-protection.md.
   */
  readonly apiProtection?: ApiProtectionSettings;
  /** Where Cognito's hosted sign-in may return people to (the console's URLs; else context `consoleCallbackUrls`). */
  readonly consoleCallbackUrls?: readonly string[];
  /**
   * Businesses' own backends that call the operator APIs with the client-credentials grant (else
   * context `machineClients`, a JSON array): each is an app client of the operators' user pool.
   */
  readonly machineClients?: readonly MachineClient[];
  /** Sign-in through a company identity provider (OIDC or SAML; else context `federatedSignIn`). */
  readonly federatedSignIn?: FederatedSignIn;
  /** Prefix of the hosted sign-in domain (else context `authDomainPrefix`; default omnichannel-<stage>-<account>). */
  readonly authDomainPrefix?: string;
  /**
   * The built agent console to deploy (default `console/dist` when it exists, outside the local
   * stage, whose console the local cloud serves itself); null deploys none.
   */
  readonly consoleAssetsDir?: string | null;
}

/** A queue paired with the dead-letter queue it redrives from. */
export interface RedrivableQueue {
  readonly name: string;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * The whole pipeline: webhook → ingress FIFO → normalizer → table + bus → agent, outbound sender and
 * status tracker. Environment-agnostic, so it synthesizes offline without credentials or lookups.
 */
export class OmnichannelStack extends Stack {
  readonly stage: Stage;
  readonly secrets: Secrets;
  readonly storage: Storage;
  readonly backbone: EventBackbone;
  readonly ingress: Ingress;
  /** CloudFront + AWS WAF in front of the API, when on (see `apiProtection.edge`). */
  readonly edgeProtection?: EdgeProtection;
  readonly normalize: Normalize;
  readonly agent: EventConsumer;
  readonly outboundSend: EventConsumer;
  readonly statusTracking: EventConsumer;
  readonly replyWatch: EventConsumer;
  readonly mediaStorage: MediaStorage;
  readonly mediaDownload: EventConsumer;
  readonly accountHealth: EventConsumer;
  /** The routing engine's consumer: handoffs, releases, presence, and its own timers (docs/routing.md). */
  readonly routing: Routing;
  /** One contact per customer of each business: customer messages, address book, consent (docs/contacts.md). */
  readonly contacts: Contacts;
  readonly operatorIdentity: OperatorIdentity;
  readonly humanAgentApi: HumanAgentApi;
  readonly adminApi: AdminApi;
  readonly onboardingApi: OnboardingApi;
  readonly templatesApi: TemplatesApi;
  /** Real-time pushes to connected agents (WebSocket API) fed from the bus. */
  readonly agentPush: AgentPush;
  /** The agent console: S3 + CloudFront, signing in through the hosted sign-in. */
  readonly agentConsole: AgentConsole;
  readonly analytics: AnalyticsExport;
  /** Outbound integrations: CRMs and business webhooks through EventBridge API destinations (docs/integrations.md). */
  readonly integrations: Integrations;
  /** Ends conversations the bot alone held once the customer went quiet, with an outcome (docs/routing.md). */
  readonly botConversationEnd: BotConversationEnd;
  /** Campaigns' sending side: release loop, campaign sender, reply counter, watchdog (docs/campaigns.md). */
  readonly campaigns: Campaigns;
  /** Campaigns' admin API: define, preview, schedule, pause, resume, cancel; recipients (docs/campaigns.md). */
  readonly campaignsApi: CampaignsApi;
  /** Renews Instagram Login tokens before their 60 days end (docs/instagram-login.md). */
  readonly instagramTokenRefresh: InstagramTokenRefresh;
  /** Meta spend: the spend API (month summary, monthly budget) and the resolved-conversations count (docs/meta-pricing.md). */
  readonly spend: Spend;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: OmnichannelStackProps) {
    super(scope, id, props);
    this.stage = props.stage;
    const namePrefix = this.stackName;
    const removalPolicy = dataRemovalPolicy(props.stage);

    this.secrets = new Secrets(this, 'Secrets', { namePrefix, removalPolicy });
    this.storage = new Storage(this, 'Storage', {
      removalPolicy,
      deletionProtection: !isEphemeralStage(props.stage),
    });
    this.backbone = new EventBackbone(this, 'Events', { namePrefix });
    const { bus } = this.backbone;
    const tableName = this.storage.table.tableName;
    const statusEvents = statusEventsSetting(props.statusEvents ?? this.node.tryGetContext('statusEvents'));

    this.ingress = new Ingress(this, 'Ingress', {
      stage: props.stage,
      namePrefix,
      metaAppSecret: this.secrets.metaAppSecret,
      metaAppSecretName: this.secrets.names.metaAppSecret,
      queueVisibilityTimeout: visibilityTimeoutFor(NORMALIZER_TIMEOUT),
      removalPolicy,
      webhookThrottle: props.apiProtection?.webhookThrottle,
      operatorThrottle: props.apiProtection?.operatorThrottle,
      webhookReservedConcurrency: props.apiProtection?.webhookReservedConcurrency,
    });
    if (props.apiProtection?.edge ?? edgeProtectionByDefault(props.stage)) {
      this.edgeProtection = new EdgeProtection(this, 'EdgeProtection', {
        api: this.ingress.api,
        webhookPath: WEBHOOK_PATH,
        namePrefix,
        webAclArn: props.apiProtection?.webAclArn,
        webhookRequestsPerIp: props.apiProtection?.webhookRequestsPerIp,
        operatorRequestsPerIp: props.apiProtection?.operatorRequestsPerIp,
      });
    }

    this.normalize = new Normalize(this, 'Normalize', {
      stage: props.stage,
      ingressQueue: this.ingress.queue,
      claimCheckBucket: this.ingress.claimCheckBucket,
      storage: this.storage,
      bus,
      logRemovalPolicy: removalPolicy,
      statusEvents,
    });

    this.agent = new EventConsumer(this, 'Agent', {
      name: 'Agent',
      queueSlug: 'agent',
      namePrefix,
      stage: props.stage,
      bus,
      sources: [EVENT_SOURCE.normalizer],
      // Echoes wake the agent too: a person writing from the business app or inbox silences the bot.
      detailTypes: [DETAIL_TYPE.messageReceived, DETAIL_TYPE.messageEchoed],
      handler: 'agent',
      description: 'Answers customers with business flows, Claude, or a handoff to a human',
      serviceName: 'agent',
      // Most of an answered invocation is spent waiting: for the table and, with Claude, for the
      // model (seconds). Waiting is billed per GB-second whatever the CPU does, so the agent gets the
      // memory its work needs, not more (README, cost per message).
      memorySize: 256,
      // Room for a model call with tool use, plus the table reads and writes around it.
      timeout: Duration.seconds(90),
      batchSize: 5,
      // Customers often send several short messages in a row; a short window lets one invocation
      // see the wake-ups of a burst together.
      maxBatchingWindow: Duration.seconds(2),
      environment: {
        [ENV.tableName]: tableName,
        [ENV.eventBusName]: bus.eventBusName,
        [ENV.anthropicSecretId]: this.secrets.names.anthropicApiKey,
        ...(props.anthropicModel ? { [ASSISTANT_ENV.model]: props.anthropicModel } : {}),
        // Each business's order API and its key live in the business's own secret (lambdas/agent/README.md).
        [ASSISTANT_ENV.businessToolsSecretPrefix]: businessToolsSecretPrefix(namePrefix),
      },
      logRemovalPolicy: removalPolicy,
    });
    this.storage.grantItemActions(this.agent.handler.role, READ_WRITE_ITEM_ACTIONS);
    bus.grantPutEventsTo(this.agent.handler.role);
    this.secrets.anthropicApiKey.grantRead(this.agent.handler.role);
    grantBusinessToolsSecretsRead(this.agent.handler.role, namePrefix);

    this.outboundSend = new EventConsumer(this, 'OutboundSend', {
      name: 'OutboundSend',
      queueSlug: 'outbound-send',
      namePrefix,
      stage: props.stage,
      bus,
      sources: REPLY_REQUEST_SOURCES,
      detailTypes: [DETAIL_TYPE.replyRequested],
      handler: 'outbound-send',
      description: 'Sends replies through the Graph API, paced per business number and recipient',
      serviceName: 'outbound-send',
      memorySize: 256,
      timeout: Duration.seconds(30),
      batchSize: 10,
      // No ceiling by default: each number's pacer bounds what its replies take, so the senders grow
      // with the numbers served; a fair queue per number keeps one number's backlog from delaying
      // every other business's replies (docs/capacity.md).
      ...(props.outboundMaxConcurrency !== undefined ? { maxConcurrency: props.outboundMaxConcurrency } : {}),
      fairQueueTenantPath: '$.detail.accountId',
      environment: {
        [ENV.tableName]: tableName,
        [ENV.eventBusName]: bus.eventBusName,
        [ENV.metaAccessTokensSecretId]: this.secrets.names.metaAccessTokens,
        [ENV.graphApiBaseUrl]: props.graphApiBaseUrl ?? DEFAULT_GRAPH_API_BASE_URL,
        [ENV.graphApiVersion]: props.graphApiVersion ?? DEFAULT_GRAPH_API_VERSION,
      },
      logRemovalPolicy: removalPolicy,
    });
    this.storage.grantItemActions(this.outboundSend.handler.role, READ_WRITE_ITEM_ACTIONS);
    bus.grantPutEventsTo(this.outboundSend.handler.role);
    this.secrets.metaAccessTokens.grantRead(this.outboundSend.handler.role);
    // Each business's own token (lambdas/outbound/access-tokens.ts): read-only, this stack's prefix only.
    grantAccountTokenSecretsRead(this.outboundSend.handler.role, namePrefix);

    // Every reply request is looked at again a quarter of an hour later: a reply still pending is
    // asked for again, one left sending is reported (lambdas/outbound/watch-reply.ts).
    this.replyWatch = new EventConsumer(this, 'ReplyWatch', {
      name: 'ReplyWatch',
      queueSlug: 'reply-watch',
      namePrefix,
      stage: props.stage,
      bus,
      sources: REPLY_REQUEST_SOURCES,
      detailTypes: [DETAIL_TYPE.replyRequested],
      handler: 'reply-watch',
      description: 'Asks again for replies still unsent a quarter of an hour after their request; reports replies whose send outcome is unknown',
      serviceName: 'reply-watch',
      memorySize: 256,
      timeout: Duration.seconds(30),
      // Nothing here is urgent: gather up to ten seconds of requests into one invocation.
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(10),
      deliveryDelay: Duration.seconds(REPLY_WATCH_DELAY_SECONDS),
      environment: {
        [ENV.tableName]: tableName,
        [ENV.eventBusName]: bus.eventBusName,
      },
      logRemovalPolicy: removalPolicy,
    });
    this.storage.grantItemActions(this.replyWatch.handler.role, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    bus.grantPutEventsTo(this.replyWatch.handler.role);

    this.statusTracking = new EventConsumer(this, 'StatusTracking', {
      name: 'StatusTracking',
      queueSlug: 'status-tracking',
      namePrefix,
      stage: props.stage,
      bus,
      sources: [EVENT_SOURCE.normalizer],
      detailTypes: [DETAIL_TYPE.statusReceived],
      handler: 'status-tracking',
      description: 'Moves outbound messages through sent, delivered, read or failed',
      serviceName: 'status-tracking',
      memorySize: 256,
      timeout: Duration.seconds(15),
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(1),
      environment: {
        [ENV.tableName]: tableName,
        [ENV.eventBusName]: bus.eventBusName,
        [ENV.statusEvents]: statusEvents,
      },
      logRemovalPolicy: removalPolicy,
    });
    this.storage.grantItemActions(this.statusTracking.handler.role, READ_WRITE_ITEM_ACTIONS);
    bus.grantPutEventsTo(this.statusTracking.handler.role);

    this.mediaStorage = new MediaStorage(this, 'MediaStorage', {
      removalPolicy,
      ...(props.mediaRetentionDays !== undefined ? { retentionDays: props.mediaRetentionDays } : {}),
    });
    this.mediaDownload = new EventConsumer(this, 'MediaDownload', {
      name: 'MediaDownload',
      queueSlug: 'media-download',
      namePrefix,
      stage: props.stage,
      bus,
      sources: [EVENT_SOURCE.normalizer],
      detailTypes: [DETAIL_TYPE.messageReceived],
      handler: 'media-download',
      description: "Copies customers' attachments out of Meta's short-lived URLs into the media bucket",
      serviceName: 'media-download',
      // A WhatsApp document may be 100 MB; it is held whole to check its digest before storing it.
      memorySize: 1024,
      timeout: Duration.seconds(60),
      batchSize: 5,
      environment: {
        [ENV.tableName]: tableName,
        [ENV.metaAccessTokensSecretId]: this.secrets.names.metaAccessTokens,
        [ENV.graphApiBaseUrl]: props.graphApiBaseUrl ?? DEFAULT_GRAPH_API_BASE_URL,
        [ENV.graphApiVersion]: props.graphApiVersion ?? DEFAULT_GRAPH_API_VERSION,
        [MEDIA_BUCKET_ENV]: this.mediaStorage.bucket.bucketName,
      },
      logRemovalPolicy: removalPolicy,
    });
    // Only messages with an attachment wake the media consumer; the rest never reach its queue.
    this.mediaDownload.rule.addEventPattern({ detail: { type: [...DOWNLOADABLE_MESSAGE_TYPES] } });
    this.storage.grantItemActions(this.mediaDownload.handler.role, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    this.secrets.metaAccessTokens.grantRead(this.mediaDownload.handler.role);
    grantAccountTokenSecretsRead(this.mediaDownload.handler.role, namePrefix);
    this.mediaStorage.grantWriteMedia(this.mediaDownload.handler.role);

    this.accountHealth = new EventConsumer(this, 'AccountHealth', {
      name: 'AccountHealth',
      queueSlug: 'account-health',
      namePrefix,
      stage: props.stage,
      bus,
      sources: [EVENT_SOURCE.normalizer],
      detailTypes: [DETAIL_TYPE.notificationReceived],
      handler: 'account-health',
      description: 'Keeps WhatsApp quality, limits, display name and account standing on the channel account registry',
      serviceName: 'account-health',
      memorySize: 256,
      timeout: Duration.seconds(15),
      batchSize: 10,
      environment: { [ENV.tableName]: tableName },
      logRemovalPolicy: removalPolicy,
    });
    // Only account, quality and name changes reach its queue.
    this.accountHealth.rule.addEventPattern({ detail: { topic: [...ACCOUNT_HEALTH_TOPICS] } });
    this.storage.grantItemActions(this.accountHealth.handler.role, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);

    this.routing = new Routing(this, 'Routing', { stage: props.stage, namePrefix, bus, storage: this.storage, removalPolicy });

    this.contacts = new Contacts(this, 'Contacts', { stage: props.stage, namePrefix, bus, storage: this.storage, removalPolicy });

    const context = <T>(key: string): T | undefined => {
      const value: unknown = this.node.tryGetContext(key);
      return (typeof value === 'string' && /^[[{]/.test(value) ? JSON.parse(value) : value) as T | undefined;
    };
    this.operatorIdentity = new OperatorIdentity(this, 'OperatorIdentity', {
      stage: props.stage,
      namePrefix,
      api: this.ingress.api,
      removalPolicy,
      consoleCallbackUrls: props.consoleCallbackUrls ?? context<string[]>('consoleCallbackUrls'),
      machineClients: props.machineClients ?? context<MachineClient[]>('machineClients'),
      federatedSignIn: props.federatedSignIn ?? context<FederatedSignIn>('federatedSignIn'),
      domainPrefix: props.authDomainPrefix ?? context<string>('authDomainPrefix'),
    });
    const identity = this.operatorIdentity;

    this.humanAgentApi = new HumanAgentApi(this, 'HumanAgentApi', {
      stage: props.stage,
      api: this.ingress.api,
      storage: this.storage,
      bus,
      identity,
      removalPolicy,
      mediaBucket: this.mediaStorage.bucket,
    });

    // Agents' and supervisors' routing routes call the engine, which schedules timers on the routing queue.
    this.routing.allowTimers(this.humanAgentApi.handler);

    this.adminApi = new AdminApi(this, 'AdminApi', {
      stage: props.stage,
      api: this.ingress.api,
      storage: this.storage,
      bus,
      identity,
      removalPolicy,
    });

    this.templatesApi = new TemplatesApi(this, 'TemplatesApi', {
      stage: props.stage,
      namePrefix,
      api: this.ingress.api,
      storage: this.storage,
      bus,
      accessTokens: this.secrets.metaAccessTokens,
      accessTokensSecretName: this.secrets.names.metaAccessTokens,
      graphApiBaseUrl: props.graphApiBaseUrl ?? DEFAULT_GRAPH_API_BASE_URL,
      graphApiVersion: props.graphApiVersion ?? DEFAULT_GRAPH_API_VERSION,
      identity,
      removalPolicy,
    });

    this.onboardingApi = new OnboardingApi(this, 'OnboardingApi', {
      stage: props.stage,
      namePrefix,
      api: this.ingress.api,
      storage: this.storage,
      metaAppSecret: this.secrets.metaAppSecret,
      metaAppSecretName: this.secrets.names.metaAppSecret,
      bus,
      identity,
      graphApiBaseUrl: props.graphApiBaseUrl ?? DEFAULT_GRAPH_API_BASE_URL,
      graphApiVersion: props.graphApiVersion ?? DEFAULT_GRAPH_API_VERSION,
      removalPolicy,
    });

    this.integrations = new Integrations(this, 'Integrations', {
      stage: props.stage,
      namePrefix,
      bus,
      busName: this.backbone.busName,
      storage: this.storage,
      api: this.ingress.api,
      identity,
      removalPolicy,
    });
    // The contacts consumer's CRM look-up reads each integration's credentials.
    this.integrations.grantSecretsRead(this.contacts.consumer.handler.role);

    this.spend = new Spend(this, 'Spend', { stage: props.stage, namePrefix, api: this.ingress.api, storage: this.storage, bus, identity, removalPolicy });

    this.agentPush = new AgentPush(this, 'AgentPush', { stage: props.stage, namePrefix, bus, storage: this.storage, identity, removalPolicy });

    this.agentConsole = new AgentConsole(this, 'AgentConsole', {
      namePrefix,
      removalPolicy,
      apiUrl: this.edgeProtection ? `https://${this.edgeProtection.distribution.distributionDomainName}` : this.ingress.api.apiEndpoint,
      webSocketApi: this.agentPush.api,
      webSocketUrl: this.agentPush.url,
      identity,
      mediaBucket: this.mediaStorage.bucket,
      ...(this.edgeProtection ? { webAclArn: this.edgeProtection.webAclArn } : {}),
      ...consoleAssets(props),
    });
    allowBrowserCalls(this.ingress.api);

    this.analytics = new AnalyticsExport(this, 'Analytics', { table: this.storage.table, namePrefix, removalPolicy });

    this.botConversationEnd = new BotConversationEnd(this, 'BotConversationEnd', { stage: props.stage, bus, storage: this.storage, removalPolicy });

    this.campaigns = new Campaigns(this, 'Campaigns', {
      stage: props.stage,
      namePrefix,
      bus,
      storage: this.storage,
      removalPolicy,
      metaAccessTokens: this.secrets.metaAccessTokens,
      metaAccessTokensSecretName: this.secrets.names.metaAccessTokens,
      graphApiBaseUrl: props.graphApiBaseUrl ?? DEFAULT_GRAPH_API_BASE_URL,
      graphApiVersion: props.graphApiVersion ?? DEFAULT_GRAPH_API_VERSION,
      ...(props.campaignSendMaxConcurrency !== undefined ? { sendMaxConcurrency: props.campaignSendMaxConcurrency } : {}),
    });

    this.campaignsApi = new CampaignsApi(this, 'CampaignsApi', {
      stage: props.stage,
      api: this.ingress.api,
      storage: this.storage,
      bus,
      identity,
      removalPolicy,
    });

    this.instagramTokenRefresh = new InstagramTokenRefresh(this, 'InstagramTokenRefresh', {
      stage: props.stage,
      namePrefix,
      storage: this.storage,
      graphApiVersion: props.graphApiVersion ?? DEFAULT_GRAPH_API_VERSION,
      removalPolicy,
    });

    // Alarms and the dashboard live in a nested stack: they grow with every queue and function, and
    // CloudFormation allows 500 resources per stack. Nothing there runs; it only watches.
    const operations = new NestedStack(this, 'Operations', { description: 'Alarms, the alarm topic and the operations dashboard of the pipeline' });
    this.observability = new Observability(operations, 'Observability', {
      removalPolicy,
      alarmTopicArn: props.alarmTopicArn,
      alarmEmail: props.alarmEmail,
    });
    this.observability.watchPipeline({
      queues: this.redrivableQueues,
      outboundSendLogGroup: this.outboundSend.handler.logGroup,
      routingLogGroup: this.routing.consumer.handler.logGroup,
      dashboardName: `${namePrefix}-operations`,
    });
    this.instagramTokenRefresh.notify(this.observability.alarmTopic);

    this.addOutputs();
  }

  /** Every consumer queue with its dead-letter queue, in pipeline order. */
  get redrivableQueues(): readonly RedrivableQueue[] {
    return [
      { name: 'Ingress', queue: this.ingress.queue, deadLetterQueue: this.ingress.deadLetterQueue },
      { name: 'Agent', queue: this.agent.queue, deadLetterQueue: this.agent.deadLetterQueue },
      { name: 'OutboundSend', queue: this.outboundSend.queue, deadLetterQueue: this.outboundSend.deadLetterQueue },
      { name: 'StatusTracking', queue: this.statusTracking.queue, deadLetterQueue: this.statusTracking.deadLetterQueue },
      { name: 'ReplyWatch', queue: this.replyWatch.queue, deadLetterQueue: this.replyWatch.deadLetterQueue },
      { name: 'MediaDownload', queue: this.mediaDownload.queue, deadLetterQueue: this.mediaDownload.deadLetterQueue },
      { name: 'AccountHealth', queue: this.accountHealth.queue, deadLetterQueue: this.accountHealth.deadLetterQueue },
      { name: 'Routing', queue: this.routing.queue, deadLetterQueue: this.routing.deadLetterQueue },
      { name: 'Contacts', queue: this.contacts.queue, deadLetterQueue: this.contacts.deadLetterQueue },
      { name: 'TemplateEvents', queue: this.templatesApi.events.queue, deadLetterQueue: this.templatesApi.events.deadLetterQueue },
      { name: 'AgentPush', queue: this.agentPush.consumer.queue, deadLetterQueue: this.agentPush.consumer.deadLetterQueue },
      { name: 'SpendOutcomes', queue: this.spend.queue, deadLetterQueue: this.spend.deadLetterQueue },
      ...this.integrations.redrivableQueues,
      ...this.campaigns.redrivableQueues,
    ];
  }

  /** Every alarm of the stack. */
  get alarms(): readonly cloudwatch.Alarm[] {
    return [...this.observability.alarms, this.instagramTokenRefresh.alarm];
  }

  private addOutputs(): void {
    const output = (id: string, value: string, description: string): void => {
      new CfnOutput(this, id, { value, description });
    };
    output('WebhookUrl', this.edgeProtection?.webhookUrl ?? this.ingress.webhookUrl, 'Callback URL to enter in the Meta app webhook settings');
    if (this.edgeProtection) {
      output(
        'ApiEdgeDomainName',
        this.edgeProtection.distribution.distributionDomainName,
        'CloudFront domain of the API (behind AWS WAF); operators call the API here too',
      );
    }
    output('MetaAppSecretName', this.secrets.names.metaAppSecret, 'Paste the Meta app secret into appSecret; verifyToken is generated');
    output('MetaAccessTokensSecretName', this.secrets.names.metaAccessTokens, 'JSON map of channel account id to Graph API access token');
    output('OperatorUserPoolId', this.operatorIdentity.userPool.userPoolId, 'Cognito user pool of agents, supervisors, admins and the platform team');
    output('OperatorConsoleClientId', this.operatorIdentity.consoleClient.userPoolClientId, 'App client people sign in with (authorisation code + PKCE)');
    output('OperatorSignInUrl', this.operatorIdentity.hostedSignInUrl, 'Hosted sign-in domain; its /oauth2/token serves the client-credentials grant');
    output('OperatorTokenIssuer', this.operatorIdentity.issuer, 'Issuer of the access tokens the operator routes accept');
    output('AnthropicApiKeySecretName', this.secrets.names.anthropicApiKey, 'JSON { "apiKey": "..." } for the agent');
    output('TableName', this.storage.table.tableName, 'Operational DynamoDB table');
    output('EventBusName', this.backbone.bus.eventBusName, 'Custom event bus of the pipeline');
    output('MediaBucketName', this.mediaStorage.bucket.bucketName, "Bucket of customers' attachments (expire after the media retention)");
    output('ClaimCheckBucketName', this.ingress.claimCheckBucket.bucketName, 'Bucket for webhook bodies too large for SQS');
    output('AnalyticsExportBucketName', this.analytics.bucket.bucketName, 'Daily DynamoDB exports (exports/full/) and Athena results');
    output('AnalyticsWorkGroup', this.analytics.workGroup.ref, `Athena workgroup with the saved analyst queries (database ${this.analytics.databaseName})`);
    output(
      'AgentConsoleUrl',
      this.agentConsole.url,
      this.agentConsole.deployed
        ? 'The agent console (sign in with an operator of the user pool; docs/console.md)'
        : 'The agent console; run npm run console:build before deploying to publish it (docs/console.md)',
    );
    output('AgentPushUrl', this.agentPush.url, 'WebSocket URL of real-time changes for agents (connect with ?token=<operator access token>)');
    output('AlarmTopicArn', this.observability.alarmTopic.topicArn, 'Subscribe on-call here');
    for (const { name, queue, deadLetterQueue } of this.redrivableQueues) {
      output(`${name}QueueUrl`, queue.queueUrl, `${name} queue`);
      output(
        `${name}DeadLetterQueueUrl`,
        deadLetterQueue.queueUrl,
        `${name} dead-letter queue; look into it with npm run redrive -- --stage ${this.stage} --inspect ${queueArgument(name)}, move its messages back with --redrive ${queueArgument(name)}`,
      );
    }
  }
}

/** The console's build to deploy: the given one, else `console/dist` when built (never in the local stage). */
function consoleAssets(props: OmnichannelStackProps): { assetsDir?: string } {
  if (props.consoleAssetsDir === null) return {};
  if (props.consoleAssetsDir !== undefined) return { assetsDir: props.consoleAssetsDir };
  if (props.stage === 'local') return {};
  const dist = fileURLToPath(new URL('../console/dist', import.meta.url));
  return existsSync(`${dist}/index.html`) ? { assetsDir: dist } : {};
}

/**
 * The console calls the API from its CloudFront origin with a bearer token (no cookies), so the
 * API answers CORS preflights for any origin; the token, not the origin, is what the API checks.
 * (Naming the console's origin here would make the API depend on the console's distribution,
 * whose security headers name the API: a cycle.)
 */
function allowBrowserCalls(api: apigwv2.HttpApi): void {
  const cfn = api.node.defaultChild as apigwv2.CfnApi;
  cfn.corsConfiguration = {
    allowOrigins: ['*'],
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['authorization', 'content-type'],
    maxAge: 600,
  };
}

/** Who asks for replies: the agent, people (human-agent API), template sends, and the reply watch asking again. */
const REPLY_REQUEST_SOURCES = [EVENT_SOURCE.agent, EVENT_SOURCE.humanAgent, EVENT_SOURCE.templates, EVENT_SOURCE.replyWatch, EVENT_SOURCE.routing];

function statusEventsSetting(value: unknown): StatusEventsSetting {
  if (value === undefined || value === 'failed') return 'failed';
  if (value === 'all') return 'all';
  throw new Error(`statusEvents must be 'failed' or 'all', not ${JSON.stringify(value)}`);
}

/** How `npm run redrive` names a queue: `OutboundSend` → `outbound-send`. */
function queueArgument(name: string): string {
  return name.replace(/(?<=[a-z])(?=[A-Z])/g, '-').toLowerCase();
}

/** Adds the stack for `stage` to `scope` with its conventional name (`Omnichannel-<stage>`). */
export function createStack(scope: Construct, stage: Stage, props: Omit<OmnichannelStackProps, 'stage'> = {}): OmnichannelStack {
  return new OmnichannelStack(scope, stackNameFor(stage), {
    stackName: stackNameFor(stage),
    description: `Omnichannel support pipeline for Meta messaging (${stage})`,
    ...props,
    stage,
  });
}
