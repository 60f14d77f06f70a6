import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import type { beforeEach } from 'vitest';
import type { IssueTokenOptions } from '#lib/local-cloud/identity/local-identity-provider';
import { LOCAL_BUSINESS_ID } from '#lib/operations/operator-token';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { signMetaBody } from '#lambdas/ingress/verify-signature';
import { LOCAL_CREDENTIALS } from '#lib/local-cloud/dynamodb-local';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '#lib/local-cloud/start-local-cloud';
import { type LocalAssembly, synthesizeLocalAssembly } from '#lib/local-cloud/synthesize-local-assembly';
import { sharedLocalAssembly } from '#test/e2e/shared-assembly';
import { CrmSimulatorClient } from '#lib/local-cloud/crm-simulator/crm-client';

export interface OutboxEntry {
  method: string;
  path: string;
  body: any;
  response: any;
  status: number;
  receivedAt: string;
}

/**
 * Starts the whole local cloud on free ports for a test file. Tests talk to it only over HTTP:
 * signed webhooks and the simulator's customer API in, the simulator's outbox and DynamoDB out.
 */
export class LocalCloudHarness {
  cloud!: LocalCloud;
  db!: DynamoDBDocumentClient;
  readonly logLines: string[] = [];
  private outdir = '';

  async start(options: Partial<LocalCloudOptions> = {}): Promise<void> {
    this.outdir = mkdtempSync(join(tmpdir(), 'omnichannel-e2e-'));
    const assembly = await this.assembly();
    this.cloud = await startLocalCloud({
      assembly,
      port: 0,
      graphSimPort: 0,
      crmSimPort: 0,
      awsPort: 0,
      logSink: (fn, line) => this.logLines.push(`${fn} ${line}`),
      graph: { statusDelaysMs: { sent: 20, delivered: 20, read: 20 }, ...options.graph },
      ...options,
    });
    this.db = documentClient(new DynamoDBClient({ endpoint: this.cloud.dynamoDbEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS }));
  }

  /** Under vitest, the run's shared assembly; elsewhere (benchmarks) one of its own. */
  private async assembly(): Promise<LocalAssembly> {
    if (process.env.VITEST) {
      const { inject } = await import('vitest');
      const runDir = inject('e2eRunDir');
      if (runDir) return sharedLocalAssembly(runDir, this.outdir);
    }
    return synthesizeLocalAssembly(this.outdir);
  }

  async stop(): Promise<void> {
    await this.cloud?.stop();
    if (this.outdir) rmSync(this.outdir, { recursive: true, force: true });
  }

  /**
   * An operator's access token from the local user pool (as signing in to Cognito gives one in AWS):
   * the local business and a test subject unless given.
   */
  async operatorToken(opts: Partial<IssueTokenOptions> & Pick<IssueTokenOptions, 'roles'>): Promise<string> {
    const identity = this.cloud.identity;
    if (!identity) throw new Error('The synthesized template has no operator user pool (OperatorUserPool)');
    const issued = await identity.issueToken({ businessId: LOCAL_BUSINESS_ID, subject: 'e2e-operator', ...opts });
    return issued.accessToken;
  }

  /** The same token, claims and key id, signed by a key the user pool never had. */
  async operatorTokenSignedByAnotherKey(opts: Partial<IssueTokenOptions> & Pick<IssueTokenOptions, 'roles'>): Promise<string> {
    const genuine = await this.operatorToken(opts);
    const { privateKey } = await generateKeyPair('RS256');
    return new SignJWT(decodeJwt(genuine)).setProtectedHeader(decodeProtectedHeader(genuine) as { alg: string }).sign(privateKey);
  }

  /** POSTs a body to the webhook exactly as Meta would, signed with the app secret (or not). */
  async postWebhook(body: string, signature: string | null = signMetaBody(body, this.cloud.appSecret)): Promise<Response> {
    return fetch(this.cloud.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
      body,
    });
  }

  async customerSays(input: {
    channel: 'whatsapp' | 'instagram' | 'messenger';
    customerId: string;
    text?: string;
    name?: string;
    reply?: { id: string; title?: string };
  }): Promise<{ id: string }> {
    const res = await fetch(`${this.cloud.graphUrl}/_sim/customer/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    if (!res.ok) throw new Error(`simulator refused the customer message: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  }

  /**
   * The CRM simulator over HTTP: `crm.outbox('hubspot')`, `crm.records('salesforce')`,
   * `crm.fault({ crm: 'zendesk', status: 500, count: 2 })`, `crm.webhooks()`, `crm.reset()`, and the
   * base URLs integrations use locally (`crm.baseUrl('hubspot')`, `crm.webhookUrl('/acme')`).
   */
  get crm(): CrmSimulatorClient {
    return new CrmSimulatorClient(this.cloud.crmUrl);
  }

  async outbox(): Promise<OutboxEntry[]> {
    const res = await fetch(`${this.cloud.graphUrl}/_sim/outbox`);
    return (await res.json()) as OutboxEntry[];
  }

  /** Sends to one recipient (WhatsApp `to`, Instagram/Messenger `recipient.id`), mark-as-read excluded. */
  async sendsTo(recipientId: string): Promise<OutboxEntry[]> {
    return (await this.outbox()).filter((e) => e.body?.status !== 'read' && (e.body?.to === recipientId || e.body?.recipient?.id === recipientId));
  }

  async conversationItems(conversationKey: string): Promise<Record<string, any>[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.cloud.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `CONV#${conversationKey}` },
        ConsistentRead: true,
      }),
    );
    return out.Items ?? [];
  }

  async item(pk: string, sk: string): Promise<Record<string, any> | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.cloud.tableName, Key: { pk, sk }, ConsistentRead: true }));
    return out.Item;
  }

  async quarantinedOn(day: string): Promise<Record<string, any>[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.cloud.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `QUARANTINE#${day}` },
      }),
    );
    return out.Items ?? [];
  }

  /**
   * What an operator would look at when a journey stalls: the warnings and errors the functions
   * logged, each queue's depth, each event source mapping's and function's counters.
   */
  /**
   * Warnings, errors and timeouts the functions logged, counted by function and message (messages
   * are fixed strings; ids and values are in other fields), most frequent first.
   */
  problemCounts(): Array<{ what: string; count: number }> {
    const counts = new Map<string, number>();
    for (const line of this.logLines) {
      const space = line.indexOf(' ');
      const fn = line.slice(0, space);
      const rest = line.slice(space + 1);
      let what: string | undefined;
      if (/Task timed out/.test(rest)) what = `${fn} timed out`;
      else if (/Invoke Error/.test(rest)) what = `${fn} invocation failed`;
      else if (/"level":"(WARN|ERROR)"/.test(rest)) {
        try {
          const entry = JSON.parse(rest) as { level?: string; message?: string };
          what = `${fn} ${entry.level}: ${String(entry.message ?? '').slice(0, 120)}`;
        } catch {
          what = `${fn} unparsed warning or error`;
        }
      }
      if (what) counts.set(what, (counts.get(what) ?? 0) + 1);
    }
    return [...counts].map(([what, count]) => ({ what, count })).sort((a, b) => b.count - a.count);
  }

  diagnostics(): string {
    const problems = this.logLines.filter((l) => /"level":"(WARN|ERROR)"|Invoke Error|Task timed out/.test(l)).slice(-40);
    const queues = [...this.cloud.queueNames].map(([logicalId, name]) => {
      const a = this.cloud.aws.sqs.getQueueAttributes(name, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
      return `${logicalId}: visible ${a.ApproximateNumberOfMessages ?? 0}, in flight ${a.ApproximateNumberOfMessagesNotVisible ?? 0}`;
    });
    const mappings = [...this.cloud.mappings].map(([queue, m]) => `${queue}: ${JSON.stringify(m.stats())}`);
    const functions = [...this.cloud.functions].map(([fn, p]) => `${fn}: ${JSON.stringify(p.stats())}`);
    return [
      `--- warnings and errors logged (last ${problems.length}) ---`,
      ...problems.map((l) => l.slice(0, 600)),
      '--- queues ---',
      ...queues,
      '--- event source mappings ---',
      ...mappings,
      '--- functions ---',
      ...functions,
    ].join('\n');
  }

  /** Prints the diagnostics when a test of the calling file fails: `harness.reportOnFailure(beforeEach)`. */
  reportOnFailure(eachTest: typeof beforeEach): void {
    eachTest(({ onTestFailed }) => {
      onTestFailed(() => {
        if (this.cloud) console.error(`local cloud at the failure:\n${this.diagnostics()}`);
      });
    });
  }

  /** Records still to be processed by each working (not dead-letter) queue: visible, in flight or delayed. */
  private workingQueues(): Map<string, number> {
    const depths = new Map<string, number>();
    for (const [logicalId, name] of this.cloud.queueNames) {
      if (/DeadLetter/.test(logicalId)) continue;
      const a = this.cloud.aws.sqs.getQueueAttributes(name, [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ]);
      depths.set(
        logicalId,
        Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
      );
    }
    return depths;
  }

  /**
   * Records being or about to be processed now (visible or in flight) in the working queues; unlike
   * `workingQueueDepth`, records delayed on purpose (the reply watch's quarter of an hour) are left out.
   */
  activeQueueDepth(): number {
    let depth = 0;
    for (const [logicalId, name] of this.cloud.queueNames) {
      if (/DeadLetter/.test(logicalId)) continue;
      const a = this.cloud.aws.sqs.getQueueAttributes(name, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
      depth += Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
    }
    return depth;
  }

  workingQueueDepth(): number {
    return [...this.workingQueues().values()].reduce((a, b) => a + b, 0);
  }

  /** `IngressQueue 3, AgentQueue 1` for the queues with records left. */
  queueDepths(): string {
    return (
      [...this.workingQueues()]
        .filter(([, n]) => n > 0)
        .map(([q, n]) => `${q} ${n}`)
        .join(', ') || 'none'
    );
  }

  /** Messages sitting in any dead-letter queue (should be none after a clean run). */
  deadLettered(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [logicalId, name] of this.cloud.queueNames) {
      if (!/DeadLetter/.test(logicalId)) continue;
      const attrs = this.cloud.aws.sqs.getQueueAttributes(name, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
      counts[logicalId] = Number(attrs.ApproximateNumberOfMessages ?? 0) + Number(attrs.ApproximateNumberOfMessagesNotVisible ?? 0);
    }
    return counts;
  }
}

/** Polls until `check` returns a value that is not undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits, then checks a condition still holds (for asserting that something did NOT happen). */
export async function settle(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}
