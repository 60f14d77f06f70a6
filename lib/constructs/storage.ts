import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '#lambdas/conversation/table-keys';
import { setLogicalId } from '#lib/logical-id';

export { TABLE_KEYS };

/** Item-level actions a pipeline function may be granted on the table. Scan is never granted. */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:BatchWriteItem';

/** Reads plus conditional writes: what every consumer needs for idempotent, versioned updates. */
export const READ_WRITE_ITEM_ACTIONS: readonly TableAction[] = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

export interface StorageProps {
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
}

/** The single operational table: conversations, messages, statuses, contacts, accounts, quarantine. */
export class Storage extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });
    // A conversation's messages in time order. It projects the keys and the two attributes its
    // queries filter on, both fixed when a message is written: a reply's send state and receipts
    // change its Message item five or six times, and with every attribute projected each change
    // was written twice (table and index). Queries ask for the other attributes they read
    // (`Select: ALL_ATTRIBUTES` or a projection), which a local index fetches from the table.
    this.table.addLocalSecondaryIndex({
      indexName: TABLE_KEYS.byTimeIndex.name,
      sortKey: { name: TABLE_KEYS.byTimeIndex.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...TABLE_KEYS.byTimeIndex.projected],
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.gsi1.name,
      partitionKey: { name: TABLE_KEYS.gsi1.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.gsi1.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.gsi2.name,
      partitionKey: { name: TABLE_KEYS.gsi2.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.gsi2.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    // Contacts by name and phone prefix: only contact profiles and phone identities carry its keys,
    // and it projects the contact id alone (a search reads the profiles it finds).
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.gsi3.name,
      partitionKey: { name: TABLE_KEYS.gsi3.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.gsi3.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: ['contactId'],
    });
    setLogicalId(this.table, 'Table');
  }

  /** Lets a function search contacts: Query on the contacts index only (the table's own grants come from grantItemActions). */
  grantContactSearch(role: iam.Role): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${this.table.tableArn}/index/${TABLE_KEYS.gsi3.name}`] }));
  }

  /** Grants exactly the listed item actions on the table and on each of its indexes, by name. */
  grantItemActions(role: iam.Role, actions: readonly TableAction[]): void {
    const indexArns = [TABLE_KEYS.byTimeIndex.name, TABLE_KEYS.gsi1.name, TABLE_KEYS.gsi2.name].map((indexName) => `${this.table.tableArn}/index/${indexName}`);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...actions], resources: [this.table.tableArn, ...indexArns] }));
  }
}
