import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { glueItemType } from '#lib/analytics/export-schema';
import {
  accountsView,
  ATHENA_DIALECT,
  athenaExportItemsView,
  contactsView,
  conversationsView,
  messagesView,
  reportPeriodView,
  routedConversationsView,
  routingAgentsView,
  routingQueuesView,
} from '#lib/analytics/flatten-views';
import { METRIC_QUERIES, metricSql } from '#lib/analytics/metric-queries';
import { setLogicalId } from '#lib/logical-id';

/** Where full exports land in the bucket; DynamoDB adds `AWSDynamoDB/<exportId>/…` under it. */
export const FULL_EXPORT_PREFIX = 'exports/full';
export const ATHENA_RESULTS_PREFIX = 'athena-results';
/** The Glue table over every export file under the full-export prefix. */
export const EXPORT_GLUE_TABLE = 'dynamodb_export';
/** Universal target of EventBridge Scheduler that calls DynamoDB's ExportTableToPointInTime. */
export const EXPORT_TARGET_ARN = 'arn:aws:scheduler:::aws-sdk:dynamodb:exportTableToPointInTime';

/** The flattening views, created once by running these saved queries, before the metric queries. */
export const VIEW_QUERIES: ReadonlyArray<{ name: string; sql: () => string }> = [
  { name: 'view_1_export_items', sql: () => athenaExportItemsView(EXPORT_GLUE_TABLE) },
  { name: 'view_2_conversations', sql: () => conversationsView(ATHENA_DIALECT) },
  { name: 'view_3_messages', sql: () => messagesView(ATHENA_DIALECT) },
  { name: 'view_4_accounts', sql: () => accountsView(ATHENA_DIALECT) },
  { name: 'view_5_routing_agents', sql: () => routingAgentsView(ATHENA_DIALECT) },
  { name: 'view_6_routing_queues', sql: () => routingQueuesView(ATHENA_DIALECT) },
  // The whole export; edit the two numbers (epoch ms, NULL for an open end) to narrow the contact-centre queries.
  { name: 'view_7_report_period', sql: () => reportPeriodView() },
  { name: 'view_8_routed_conversations', sql: () => routedConversationsView() },
  { name: 'view_9_contacts', sql: () => contactsView(ATHENA_DIALECT) },
];

export interface AnalyticsExportProps {
  readonly table: dynamodb.ITable;
  /** Stack name; names the workgroup and (in lower case) the Glue database. */
  readonly namePrefix: string;
  readonly removalPolicy: RemovalPolicy;
  /** When the full export runs; default every day at 03:15 UTC. */
  readonly fullExportSchedule?: string;
  /** Days an export and Athena's results are kept. */
  readonly retentionDays?: number;
}

const pascal = (name: string) => name.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/**
 * Analyst exports: point-in-time recovery (on the table) lets DynamoDB export without reading
 * capacity; a daily full export into an encrypted bucket, started by EventBridge Scheduler calling
 * ExportTableToPointInTime directly; a Glue table over the export files; an Athena workgroup with
 * the flattening views and every metric query saved, read from the same SQL files the local report
 * runs (lib/analytics/sql/).
 */
export class AnalyticsExport extends Construct {
  readonly bucket: s3.Bucket;
  readonly schedulerRole: iam.Role;
  readonly fullExportSchedule: scheduler.CfnSchedule;
  readonly databaseName: string;
  readonly workGroup: athena.CfnWorkGroup;
  readonly namedQueries: athena.CfnNamedQuery[] = [];

  constructor(scope: Construct, id: string, props: AnalyticsExportProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const retention = Duration.days(props.retentionDays ?? 30);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy,
      lifecycleRules: [
        { id: 'expire-exports', prefix: `${FULL_EXPORT_PREFIX}/`, expiration: retention },
        { id: 'expire-athena-results', prefix: `${ATHENA_RESULTS_PREFIX}/`, expiration: retention },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    setLogicalId(this.bucket, 'AnalyticsExportBucket');
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'Objects are table exports and query results written only by DynamoDB on the scheduler role and by Athena, expired after the retention; reads can be audited with CloudTrail data events, so a bucket of access logs would have no reader.',
    });

    // The scheduler calls ExportTableToPointInTime as this role; DynamoDB writes the files as the
    // caller, so the role also holds the S3 writes the export makes (AWS: "Requesting a table export").
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Starts the daily DynamoDB export to the analytics bucket',
    });
    setLogicalId(this.schedulerRole, 'AnalyticsExportSchedulerRole');
    this.schedulerRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:ExportTableToPointInTime'], resources: [props.table.tableArn] }));
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:AbortMultipartUpload', 's3:PutObject', 's3:PutObjectAcl'],
        resources: [this.bucket.arnForObjects(`${FULL_EXPORT_PREFIX}/*`)],
      }),
    );
    Validations.of(this.schedulerRole).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<AnalyticsExportBucket.Arn>/${FULL_EXPORT_PREFIX}/*]`,
      reason:
        'DynamoDB names the export files itself (AWSDynamoDB/<export id>/…); the grant is limited to the export prefix of this one bucket and to the writes an export makes.',
    });

    this.fullExportSchedule = new scheduler.CfnSchedule(this, 'FullExportSchedule', {
      description: 'Daily full export of the table for analysts (Athena saved queries read it)',
      scheduleExpression: props.fullExportSchedule ?? 'cron(15 3 * * ? *)',
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: EXPORT_TARGET_ARN,
        roleArn: this.schedulerRole.roleArn,
        input: stack.toJsonString({
          TableArn: props.table.tableArn,
          S3Bucket: this.bucket.bucketName,
          S3BucketOwner: stack.account,
          S3Prefix: FULL_EXPORT_PREFIX,
          S3SseAlgorithm: 'AES256',
          ExportFormat: 'DYNAMODB_JSON',
          ExportType: 'FULL_EXPORT',
        }),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      },
    });
    setLogicalId(this.fullExportSchedule, 'AnalyticsFullExportSchedule');

    this.databaseName = `${props.namePrefix.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_analytics`;
    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: this.databaseName, description: 'DynamoDB exports of the support table, for Athena' },
    });
    setLogicalId(database, 'AnalyticsDatabase');

    const exportTable = new glue.CfnTable(this, 'ExportTable', {
      catalogId: stack.account,
      databaseName: this.databaseName,
      tableInput: {
        name: EXPORT_GLUE_TABLE,
        description: 'Every DynamoDB JSON line of every full export; the export_items view keeps the newest export',
        tableType: 'EXTERNAL_TABLE',
        parameters: { classification: 'json', compressionType: 'gzip', EXTERNAL: 'TRUE' },
        storageDescriptor: {
          location: `s3://${this.bucket.bucketName}/${FULL_EXPORT_PREFIX}/AWSDynamoDB/`,
          columns: [{ name: 'item', type: glueItemType() }],
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            // Manifest and checksum files share the prefix: they read as rows without an item.
            parameters: { 'ignore.malformed.json': 'true', 'case.insensitive': 'true' },
          },
        },
      },
    });
    exportTable.node.addDependency(database);
    setLogicalId(exportTable, 'AnalyticsExportTable');

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: `${props.namePrefix}-analytics`,
      description: 'Analyst queries over the DynamoDB exports',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        resultConfiguration: {
          outputLocation: `s3://${this.bucket.bucketName}/${ATHENA_RESULTS_PREFIX}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    setLogicalId(this.workGroup, 'AnalyticsWorkGroup');

    const saved = [
      ...VIEW_QUERIES.map((v) => ({
        name: v.name,
        sql: v.sql(),
        description: `Creates the ${v.name.replace(/^view_\d_/, '')} view; run the ${VIEW_QUERIES.length} view queries once, in order`,
      })),
      ...METRIC_QUERIES.map((q) => ({ name: q.name, sql: metricSql(q.name), description: q.description })),
    ];
    for (const query of saved) {
      const named = new athena.CfnNamedQuery(this, `Query${pascal(query.name)}`, {
        name: query.name,
        description: query.description.slice(0, 1024),
        database: this.databaseName,
        workGroup: this.workGroup.ref,
        queryString: query.sql,
      });
      named.node.addDependency(database);
      setLogicalId(named, `AnalyticsQuery${pascal(query.name)}`);
      this.namedQueries.push(named);
    }
  }
}
