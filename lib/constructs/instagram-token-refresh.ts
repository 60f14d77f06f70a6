import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ACCOUNT_TOKENS_SECRET_PATH } from '#lambdas/accounts/channel-account';
import { INSTAGRAM_TOKEN_METRIC, INSTAGRAM_TOKEN_REFRESH_SERVICE } from '#lambdas/instagram-login/instagram-token-metrics';
import { ENV } from '#lambdas/shared/event-contract';
import { accountTokenSecretsArnPattern } from '#lib/constructs/account-token-secrets';
import type { Storage } from '#lib/constructs/storage';
import { METRICS_NAMESPACE, SupportFunction } from '#lib/constructs/support-function';
import { setLogicalId } from '#lib/logical-id';
import type { Stage } from '#lib/stage';

/** Once a day: tokens are refreshed ten days before their end, so a missed day costs nothing. */
export const INSTAGRAM_TOKEN_REFRESH_SCHEDULE = 'rate(1 day)';

export interface InstagramTokenRefreshProps {
  readonly stage: Stage;
  /** The stack name: token secrets are `<namePrefix>/account-tokens/<owner id>`. */
  readonly namePrefix: string;
  readonly storage: Storage;
  readonly graphApiVersion: string;
  readonly removalPolicy: RemovalPolicy;
  /**
   * When the refresh runs (EventBridge Scheduler expression).
   * @default rate(1 day)
   */
  readonly schedule?: string;
}

/**
 * The daily refresh of Instagram Login tokens (lambdas/instagram-login/refresh-instagram-tokens.ts):
 * EventBridge Scheduler starts it; it reads the tokens ending within ten days from the table,
 * renews each on graph.instagram.com, and stores the new token as a new version of the account's
 * own secret. It may read and put versions of this stack's `<stack>/account-tokens/*` secrets and
 * nothing else (no create, no delete, no other secret), and read and update the registry items.
 * An account whose token cannot be renewed is marked `needs_reauthorisation` and the alarm fires.
 */
export class InstagramTokenRefresh extends Construct {
  readonly refresher: SupportFunction;
  readonly schedulerRole: iam.Role;
  readonly schedule: scheduler.CfnSchedule;
  /** Fires when an account's token could not be renewed and the business must log in again. */
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: InstagramTokenRefreshProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.refresher = new SupportFunction(this, 'Refresher', {
      logicalId: 'InstagramTokenRefreshFunction',
      handler: 'instagram-token-refresh',
      description: 'Renews Instagram Login tokens ten days before their 60 days end; marks accounts whose token cannot be renewed as needing a new login',
      stage: props.stage,
      serviceName: INSTAGRAM_TOKEN_REFRESH_SERVICE,
      memorySize: 256,
      // Per account: two reads, one Graph call, one secret version and one write, five accounts at a
      // time; accounts left when the time runs short wait for the next day, days before their end.
      timeout: Duration.seconds(80),
      // One run at a time: two runs would refresh the same tokens twice.
      reservedConcurrentExecutions: 1,
      environment: {
        [ENV.tableName]: props.storage.table.tableName,
        [ENV.graphApiVersion]: props.graphApiVersion,
      },
      logRemovalPolicy: props.removalPolicy,
    });
    const role = this.refresher.role;
    props.storage.grantItemActions(role, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RenewPerBusinessAccessTokens',
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: [accountTokenSecretsArnPattern(stack, props.namePrefix)],
      }),
    );
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${props.namePrefix}/${ACCOUNT_TOKENS_SECRET_PATH}/*]`,
      reason:
        'The refresh renews tokens of accounts onboarded after deployment, whose secrets are named <stack>/account-tokens/<id>; it may read them and put new versions, never create, delete or touch any other secret.',
    });

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Starts the Instagram token refresh',
    });
    setLogicalId(this.schedulerRole, 'InstagramTokenRefreshSchedulerRole');
    this.schedulerRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.refresher.function.functionArn] }));

    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: 'Daily refresh of Instagram Login tokens before their 60 days end',
      scheduleExpression: props.schedule ?? INSTAGRAM_TOKEN_REFRESH_SCHEDULE,
      flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 60 },
      state: 'ENABLED',
      target: {
        arn: this.refresher.function.functionArn,
        roleArn: this.schedulerRole.roleArn,
        input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        // A failed run is caught up by tomorrow's; a couple of quick retries cover a passing fault.
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
      },
    });
    setLogicalId(this.schedule, 'InstagramTokenRefreshSchedule');

    this.alarm = new cloudwatch.Alarm(this, 'NeedsReauthorisationAlarm', {
      alarmDescription:
        "An Instagram Login account's token could not be renewed (Meta refused it, or it expired): the account is marked needs_reauthorisation and its replies fail until the business logs in again. " +
        'The instagram-token-refresh log names the account ids; have the business go through Business Login for Instagram again and call POST /onboarding/instagram-login with the new code (docs/instagram-login.md).',
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: INSTAGRAM_TOKEN_METRIC.needsReauthorisation,
        dimensionsMap: { service: INSTAGRAM_TOKEN_REFRESH_SERVICE },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.hours(1),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // Emitted once a run; no data is no run or nothing to say.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    setLogicalId(this.alarm, 'InstagramTokenNeedsReauthorisationAlarm');
  }

  /** Sends the alarm's changes to the stack's alarm topic. */
  notify(topic: sns.ITopic): void {
    this.alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
    this.alarm.addOkAction(new cloudwatchActions.SnsAction(topic));
  }
}
