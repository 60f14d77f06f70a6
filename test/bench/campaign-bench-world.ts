import { BatchWriteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { newCampaignId } from '#lambdas/campaigns/campaign-id';
import { emptyCounts } from '#lambdas/campaigns/campaign-model';
import { dynamoCampaignStore } from '#lambdas/campaigns/campaign-store';
import { consentSk } from '#lambdas/outbound/send-context';
import { templateKey } from '#lambdas/templates/template-item';
import type { LocalCloudHarness } from '#test/e2e/local-cloud-harness';

/**
 * What the campaign benchmarks share: a marketing campaign of any size put straight into the store
 * (its list, the customers' opt-ins and the template, as scheduling would leave them: building a
 * 100,000-contact audience is the admin API's work, not what is measured), kicked through the ticks
 * queue, and its sends read back from the Graph simulator's outbox.
 */
export const BENCH_TEMPLATE = { name: 'bench_offer', language: 'es' };

export interface BenchCampaign {
  businessId: string;
  campaignId: string;
  accountId: string;
  recipients: string[];
}

export async function setNumber(harness: LocalCloudHarness, accountId: string, messagesPerSecond: number): Promise<void> {
  await harness.db.send(
    new UpdateCommand({
      TableName: harness.cloud.tableName,
      Key: { pk: `ACCT#${accountId}`, sk: 'ACCOUNT' },
      // An unlimited portfolio: the benchmark measures pace, not Meta's daily limit.
      UpdateExpression: 'SET throughputPerSecond = :mps, qualityRating = :green, maxDailyConversations = :unlimited',
      ExpressionAttributeValues: { ':mps': messagesPerSecond, ':green': 'GREEN', ':unlimited': -1 },
    }),
  );
}

async function batchPut(harness: LocalCloudHarness, items: Array<Record<string, unknown>>): Promise<void> {
  const chunks: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < chunks.length) {
        let requests = chunks[next++]!.map((Item) => ({ PutRequest: { Item } }));
        while (requests.length > 0) {
          const out = await harness.db.send(new BatchWriteCommand({ RequestItems: { [harness.cloud.tableName]: requests } }));
          requests = (out.UnprocessedItems?.[harness.cloud.tableName] as typeof requests | undefined) ?? [];
        }
      }
    }),
  );
}

/** A scheduled marketing campaign of `size` opted-in customers on one number, ready for its first tick. */
export async function seedCampaign(
  harness: LocalCloudHarness,
  input: { businessId: string; accountId: string; wabaId: string; size: number; rateShare: number; customer: (i: number) => string },
): Promise<BenchCampaign> {
  const { tableName } = harness.cloud;
  const now = new Date().toISOString();
  await harness.db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...templateKey(input.wabaId, BENCH_TEMPLATE.name, BENCH_TEMPLATE.language),
        entity: 'Template',
        wabaId: input.wabaId,
        ...BENCH_TEMPLATE,
        status: 'APPROVED',
        category: 'MARKETING',
        parameterFormat: 'POSITIONAL',
        componentsJson: JSON.stringify([{ type: 'BODY', text: 'Hola {{1}}, 20% de descuento hoy' }]),
      },
    }),
  );
  const recipients = Array.from({ length: input.size }, (_, i) => input.customer(i));
  await batchPut(
    harness,
    recipients.map((waId) => ({
      pk: `ACCT#${input.accountId}`,
      sk: consentSk(waId),
      entity: 'Consent',
      accountId: input.accountId,
      customerId: waId,
      marketingOptInAt: '2026-01-01T00:00:00.000Z',
    })),
  );
  const store = dynamoCampaignStore({ db: harness.db, tableName });
  const campaignId = newCampaignId();
  await store.create({
    businessId: input.businessId,
    campaignId,
    name: 'Benchmark',
    accountId: input.accountId,
    template: { ...BENCH_TEMPLATE, category: 'marketing' },
    audience: { kind: 'contacts' },
    rateShare: input.rateShare,
    state: 'scheduled',
    counts: { ...emptyCounts(), targeted: input.size },
    createdBy: 'bench',
    createdAt: now,
    updatedAt: now,
    scheduledAt: now,
    version: 1,
  });
  for (let i = 0; i < recipients.length; i += 2_000) {
    await store.addRecipients(
      input.businessId,
      campaignId,
      i,
      recipients.slice(i, i + 2_000).map((waId, j) => ({ waId, variables: { '1': `Cliente ${i + j}` } })),
    );
  }
  await store.putRelease(input.businessId, campaignId, { nextSeq: 0, total: input.size, tick: 0 });
  await store.markRunning(input.businessId, campaignId);
  return { businessId: input.businessId, campaignId, accountId: input.accountId, recipients };
}

/** The first tick, as `campaign.changed` (scheduled) would send it. */
export function kick(harness: LocalCloudHarness, campaign: BenchCampaign): void {
  const queue = harness.cloud.queueNames.get('CampaignTicksQueue');
  if (!queue) throw new Error('the template has no CampaignTicksQueue');
  harness.cloud.aws.sqs.sendMessage(queue, { body: JSON.stringify({ businessId: campaign.businessId, campaignId: campaign.campaignId, tick: 0 }) });
}

export interface CampaignSendReport {
  accepted: number;
  refused: number;
  /** Recipients Meta never accepted a message for. */
  lost: string[];
  /** Recipients Meta accepted more than one message for. */
  sentTwice: string[];
  /** 130429: sends over the number's throughput. */
  throughputErrors: number;
  /** Accepted sends' arrival times, sorted. */
  times: number[];
}

/** The campaign's sends at the Graph simulator, read in-process (a 100,000-entry outbox is too big for HTTP). */
export function campaignSends(harness: LocalCloudHarness, campaign: BenchCampaign): CampaignSendReport {
  const prefix = `cmp.${campaign.campaignId}.`;
  const accepted = new Map<string, number>();
  const times: number[] = [];
  let refused = 0;
  let throughputErrors = 0;
  for (const e of harness.cloud.graph.outbox()) {
    const body = e.body as { biz_opaque_callback_data?: string; to?: string } | undefined;
    if (!body?.biz_opaque_callback_data?.startsWith(prefix)) continue;
    if (e.status >= 200 && e.status < 300) {
      accepted.set(String(body.to), (accepted.get(String(body.to)) ?? 0) + 1);
      times.push(Date.parse(e.receivedAt));
    } else {
      refused++;
      if (JSON.stringify(e.response ?? {}).includes('130429')) throughputErrors++;
    }
  }
  times.sort((a, b) => a - b);
  return {
    accepted: times.length,
    refused,
    lost: campaign.recipients.filter((r) => !accepted.has(r)),
    sentTwice: [...accepted].filter(([, n]) => n > 1).map(([r]) => r),
    throughputErrors,
    times,
  };
}

/** Sends per second between the first and the last accepted send (or within [from, to]). */
export function achievedRate(times: readonly number[], window?: { from: number; to: number }): number {
  const inWindow = window ? times.filter((t) => t >= window.from && t <= window.to) : times;
  if (inWindow.length < 2) return 0;
  const span = window ? (window.to - window.from) / 1000 : (inWindow.at(-1)! - inWindow[0]!) / 1000;
  return (window ? inWindow.length : inWindow.length - 1) / span;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Where the local cloud spent its time: each function that ran, its invocations and busy seconds. */
export function functionLoad(harness: LocalCloudHarness): string {
  return [...harness.cloud.functions]
    .map(([name, pool]) => ({ name, ...(pool.stats() as { invocations: number; busyMs: number; maxDurationMs: number; errors: number }) }))
    .filter((f) => f.invocations > 0)
    .sort((a, b) => b.busyMs - a.busyMs)
    .map(
      (f) =>
        `  ${f.name}: ${f.invocations} invocations, ${(f.busyMs / 1000).toFixed(0)} s busy, longest ${(f.maxDurationMs / 1000).toFixed(1)} s${f.errors ? `, ${f.errors} failed` : ''}`,
    )
    .join('\n');
}
