import { randomBytes } from 'node:crypto';
import type { SimClock } from '#lib/local-cloud/crm-simulator/crm-route-types';

/**
 * Salesforce's records as the simulator keeps them: Contacts and Cases with 18-character ids
 * (key prefixes 003 and 500), the org's field definitions (which fields exist, their types and
 * lengths, which are External IDs), and the access tokens the token endpoint issued.
 */

export type SalesforceObject = 'Contact' | 'Case';
export type FieldType = 'string' | 'textarea' | 'picklist' | 'phone' | 'double' | 'boolean' | 'datetime' | 'id' | 'reference';

export interface FieldDefinition {
  type: FieldType;
  /** Characters, for text types. */
  length?: number;
  label: string;
  externalId?: boolean;
  required?: boolean;
  /** Set by Salesforce: refused in writes. */
  readOnly?: boolean;
  /** For `reference`: the object it points to and the relationship name used in bodies (`Contact`). */
  referenceTo?: SalesforceObject;
  relationshipName?: string;
}

export type OrgSchema = Record<SalesforceObject, Record<string, FieldDefinition>>;

const text = (label: string, length = 255, extra: Partial<FieldDefinition> = {}): FieldDefinition => ({ type: 'string', length, label, ...extra });

/** An org where the business created the fields in docs/integrations.md. */
export function salesforceOrgWithSetup(): OrgSchema {
  return {
    Contact: {
      Id: { type: 'id', label: 'Contact ID', readOnly: true },
      FirstName: text('First Name', 40),
      LastName: text('Last Name', 80, { required: true }),
      Name: text('Full Name', 121, { readOnly: true }),
      Email: text('Email', 80),
      Phone: { type: 'phone', length: 40, label: 'Business Phone' },
      MobilePhone: { type: 'phone', length: 40, label: 'Mobile Phone' },
      LeadSource: { type: 'picklist', length: 40, label: 'Lead Source' },
      Description: { type: 'textarea', length: 32_000, label: 'Contact Description' },
      CreatedDate: { type: 'datetime', label: 'Created Date', readOnly: true },
      LastModifiedDate: { type: 'datetime', label: 'Last Modified Date', readOnly: true },
      Omnichannel_Contact_Id__c: text('Omnichannel Contact Id', 64, { externalId: true }),
      Omnichannel_Language__c: text('Omnichannel Language', 10),
      Omnichannel_Tags__c: text('Omnichannel Tags'),
      Omnichannel_VIP__c: { type: 'boolean', label: 'Omnichannel VIP' },
      Omnichannel_First_Touch_Source__c: text('First Touch Source'),
      Omnichannel_First_Touch_At__c: text('First Touch At', 40),
      Omnichannel_Ad_Id__c: text('Ad Id'),
      Omnichannel_Ad_Headline__c: text('Ad Headline'),
      Omnichannel_CTWA_Clid__c: text('CTWA Click Id'),
      Omnichannel_UTM_Source__c: text('UTM Source'),
      Omnichannel_UTM_Medium__c: text('UTM Medium'),
      Omnichannel_UTM_Campaign__c: text('UTM Campaign'),
      Omnichannel_UTM_Term__c: text('UTM Term'),
      Omnichannel_UTM_Content__c: text('UTM Content'),
    },
    Case: {
      Id: { type: 'id', label: 'Case ID', readOnly: true },
      CaseNumber: text('Case Number', 30, { readOnly: true }),
      Subject: text('Subject'),
      Description: { type: 'textarea', length: 32_000, label: 'Description' },
      Origin: { type: 'picklist', length: 40, label: 'Case Origin' },
      Status: { type: 'picklist', length: 40, label: 'Status' },
      Reason: { type: 'picklist', length: 40, label: 'Case Reason' },
      Priority: { type: 'picklist', length: 40, label: 'Priority' },
      SuppliedName: text('Web Name', 80),
      SuppliedPhone: text('Web Phone', 40),
      ContactId: { type: 'reference', label: 'Contact ID', referenceTo: 'Contact', relationshipName: 'Contact' },
      IsClosed: { type: 'boolean', label: 'Closed', readOnly: true },
      CreatedDate: { type: 'datetime', label: 'Created Date', readOnly: true },
      LastModifiedDate: { type: 'datetime', label: 'Last Modified Date', readOnly: true },
      Omnichannel_Conversation_Id__c: text('Omnichannel Conversation Id', 64, { externalId: true }),
      Omnichannel_Agent_Id__c: text('Omnichannel Agent Id'),
      Omnichannel_Reason__c: text('Omnichannel Reason'),
      Omnichannel_Outcome__c: text('Omnichannel Outcome', 40),
      Omnichannel_Tags__c: text('Omnichannel Tags'),
      Omnichannel_CSAT__c: { type: 'double', label: 'Omnichannel CSAT' },
    },
  };
}

export type SalesforceRecord = Record<string, unknown> & { Id: string; CreatedDate: string; LastModifiedDate: string };

const KEY_PREFIX: Record<SalesforceObject, string> = { Contact: '003', Case: '500' };
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export class SalesforceRecordStore {
  readonly schema: OrgSchema;
  private readonly clock: SimClock;
  private readonly tables = new Map<SalesforceObject, Map<string, SalesforceRecord>>();
  private readonly createdCount = new Map<SalesforceObject, number>();
  private readonly updatedCount = new Map<SalesforceObject, number>();
  private readonly tokens = new Map<string, { clientId: string; issuedAt: number }>();
  private nextCaseNumber = 1001;
  private tokensIssuedCount = 0;

  constructor(options: { schema?: OrgSchema; clock?: SimClock } = {}) {
    this.schema = options.schema ?? salesforceOrgWithSetup();
    this.clock = options.clock ?? Date.now;
  }

  private table(object: SalesforceObject): Map<string, SalesforceRecord> {
    let table = this.tables.get(object);
    if (!table) {
      table = new Map();
      this.tables.set(object, table);
    }
    return table;
  }

  /** An 18-character Salesforce id: key prefix, a pod-like `5g0` and random base-62 characters. */
  private newId(object: SalesforceObject): string {
    let tail = '';
    for (const byte of randomBytes(12)) tail += BASE62[byte % 62];
    return `${KEY_PREFIX[object]}5g0${tail}`;
  }

  /** External ID matching is case-insensitive, as Salesforce's is for text External IDs. */
  findByExternalId(object: SalesforceObject, field: string, value: string): SalesforceRecord[] {
    const wanted = value.toLowerCase();
    return [...this.table(object).values()].filter((r) => typeof r[field] === 'string' && (r[field] as string).toLowerCase() === wanted);
  }

  get(object: SalesforceObject, id: string): SalesforceRecord | undefined {
    return this.table(object).get(id) ?? [...this.table(object).values()].find((r) => r.Id.slice(0, 15) === id.slice(0, 15) && id.length >= 15);
  }

  /** Create a record (fields already checked). */
  insert(object: SalesforceObject, fields: Record<string, unknown>, options: { viaApi?: boolean; createdAt?: string } = {}): SalesforceRecord {
    const now = options.createdAt ?? new Date(this.clock()).toISOString();
    const record: SalesforceRecord = { ...fields, Id: this.newId(object), CreatedDate: now, LastModifiedDate: now };
    if (object === 'Case') record.CaseNumber = String(this.nextCaseNumber++).padStart(8, '0');
    this.derive(object, record);
    this.table(object).set(record.Id, record);
    if (options.viaApi !== false) this.createdCount.set(object, (this.createdCount.get(object) ?? 0) + 1);
    return record;
  }

  update(object: SalesforceObject, record: SalesforceRecord, fields: Record<string, unknown>): SalesforceRecord {
    Object.assign(record, fields, { LastModifiedDate: new Date(this.clock()).toISOString() });
    this.derive(object, record);
    this.updatedCount.set(object, (this.updatedCount.get(object) ?? 0) + 1);
    return record;
  }

  /** Fields Salesforce computes: a Contact's Name, a Case's IsClosed. */
  private derive(object: SalesforceObject, record: SalesforceRecord): void {
    if (object === 'Contact') record.Name = [record.FirstName, record.LastName].filter((p) => typeof p === 'string' && p !== '').join(' ');
    if (object === 'Case') record.IsClosed = record.Status === 'Closed';
  }

  /** Seed a record as if someone had typed it into Salesforce (for lookup tests). */
  seed(object: SalesforceObject, fields: Record<string, unknown>, createdAt?: string): SalesforceRecord {
    return this.insert(object, fields, { viaApi: false, ...(createdAt ? { createdAt } : {}) });
  }

  records(object: SalesforceObject): SalesforceRecord[] {
    return [...this.table(object).values()];
  }

  count(object: SalesforceObject): number {
    return this.table(object).size;
  }

  created(object: SalesforceObject): number {
    return this.createdCount.get(object) ?? 0;
  }

  updated(object: SalesforceObject): number {
    return this.updatedCount.get(object) ?? 0;
  }

  issueToken(clientId: string): string {
    const token = `00D5g000004Sim!${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { clientId, issuedAt: this.clock() });
    this.tokensIssuedCount += 1;
    return token;
  }

  tokenValid(token: string, maxAgeMs: number): boolean {
    const issued = this.tokens.get(token);
    return issued !== undefined && this.clock() - issued.issuedAt < maxAgeMs;
  }

  /** Ends every session (as an admin revoking the integration user's sessions would). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Tokens the token endpoint handed out since the last reset. */
  tokensIssued(): number {
    return this.tokensIssuedCount;
  }

  reset(): void {
    this.tables.clear();
    this.createdCount.clear();
    this.updatedCount.clear();
    this.tokens.clear();
    this.tokensIssuedCount = 0;
  }
}
