import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { setLogicalId } from '#lib/logical-id';

export interface ObservabilityProps {
  readonly removalPolicy: RemovalPolicy;
}

/** Alarms that need a human, all sent to one encrypted SNS topic that operators subscribe to. */
export class Observability extends Construct {
  readonly alarmTopic: sns.Topic;
  private readonly alarmList: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);

    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the alarm notification topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    setLogicalId(key, 'AlarmTopicKey');
    // CloudWatch publishes to an encrypted topic only if it may use the topic's key.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Omnichannel support alarms',
      masterKey: key,
      enforceSSL: true,
    });
    setLogicalId(this.alarmTopic, 'AlarmTopic');
  }

  /** Every alarm created so far, in creation order. */
  get alarms(): readonly cloudwatch.Alarm[] {
    return this.alarmList;
  }

  /** Any message in a dead-letter queue needs a look and, usually, a redrive. */
  alarmOnDeadLetterQueue(logicalId: string, queue: sqs.IQueue, description: string): cloudwatch.Alarm {
    return this.addAlarm(
      logicalId,
      new cloudwatch.Alarm(this, logicalId, {
        alarmDescription: description,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** Messages waiting longer than `maxAge` mean the consumer is stuck or far behind. */
  alarmOnQueueAge(logicalId: string, queue: sqs.IQueue, maxAge: Duration, description: string): cloudwatch.Alarm {
    return this.addAlarm(
      logicalId,
      new cloudwatch.Alarm(this, logicalId, {
        alarmDescription: description,
        metric: queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: maxAge.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  private addAlarm(logicalId: string, alarm: cloudwatch.Alarm): cloudwatch.Alarm {
    setLogicalId(alarm, logicalId);
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    alarm.addOkAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    this.alarmList.push(alarm);
    return alarm;
  }
}
