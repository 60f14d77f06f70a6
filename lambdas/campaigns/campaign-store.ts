import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import { isBusinessId } from '#lambdas/bot-settings/bot-settings-store';
import { isCampaignId } from '#lambdas/campaigns/campaign-id';
import {
  campaignListPk,
  campaignSk,
  campaignsPk,
  limitHourSk,
  limitPk,
  listChunkSk,
  listWalkSk,
  RELEASE_SK,
  recipientRefSk,
  recipientSk,
  RUNNING_CAMPAIGNS_PK,
  runningSk,
} from '#lambdas/campaigns/campaign-keys';
import {
  emptyCounts,
  RECIPIENT_STATES,
  type Campaign,
  type CampaignCounts,
  type CampaignRecipient,
  type CampaignState,
  type RecipientState,
} from '#lambdas/campaigns/campaign-model';
import type { CampaignRefusal, CampaignResult, CampaignStore, ListDecidingStep, Page, ReleaseCursor, StagedChunk } from '#lambdas/campaigns/campaign-ports';
import { countMap, MAX_SEQ, recipientStateAt, recipientStatesBefore, scalarAdditions, WA_ID } from '#lambdas/campaigns/campaign-store-rules';
import { decodeCursor, encodeCursor } from '#lambdas/shared/page-cursor';
import { RecipientListChangedError } from '#lambdas/campaigns/errors';

export interface CampaignStoreDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  /** Recipients name customers: their items expire this many days after they were listed. Default 400. */
  recipientRetentionDays?: number;
}

type Item = Record<string, unknown>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

const ENTITY = {
  campaign: 'Campaign',
  recipient: 'CampaignRecipient',
  ref: 'CampaignRecipientRef',
  release: 'CampaignRelease',
  staged: 'CampaignListChunk',
  walk: 'CampaignAudienceWalk',
  limit: 'MessagingLimitUse',
  running: 'RunningCampaign',
} as const;
/** Recipients per transaction: a recipient is two items (its list entry and its wa_id guard); DynamoDB takes 100 per transaction. */
const RECIPIENTS_PER_TRANSACTION = 50;
/** Transactions of one call in flight at once. */
const PARALLEL_TRANSACTIONS = 16;
const HOUR_MS = 3_600_000;
/** Meta's moving 24 hours is kept in hourly buckets; a bucket outlives it by a day, then DynamoDB's TTL removes it. */
const LIMIT_BUCKET_TTL_SECONDS = 2 * 24 * 3_600;
const MAX_PAGE = 100;
/** A staged chunk of a decided audience outlives any build by far, then DynamoDB's TTL removes it. */
const STAGED_CHUNK_TTL_SECONDS = 7 * 24 * 3_600;
/** A staged chunk's recipients are one JSON string (UTF-8 bytes): well under DynamoDB's 400 KB item. */
export const MAX_STAGED_CHUNK_BYTES = 350_000;
/** A deciding step's digest of whom it met (bytes): well under DynamoDB's 400 KB item. */
export const MAX_WALK_BYTES = 350_000;
/** What one deciding step's transaction may carry (DynamoDB takes 4 MB and 100 actions a transaction). */
export const MAX_DECIDING_STEP_BYTES = 3_800_000;
const MAX_DECIDING_STEP_ACTIONS = 100;
const ATTEMPT = /^[A-Za-z0-9_-]{1,64}$/;
/** Query rounds one filtered page reads at most before it hands back a cursor. */
const MAX_FILTER_ROUNDS = 20;

const ok = <T>(value: T): CampaignResult<T> => ({ ok: true, value });
const refuse = <T>(refusal: CampaignRefusal, message: string): CampaignResult<T> => ({ ok: false, refusal, message });

/**
 * Campaigns in the single table (key layout in campaign-keys.ts).
 *
 * - The campaign item holds its definition, state and counts. Every operator change and state move
 *   is one conditional update (state, and the version a person read), so a pause and a resume
 *   crossing each other cannot both win. Counts are nested maps moved with atomic ADD, so the
 *   status tracker, the sender and the release loop count concurrently without reading first.
 * - The list: `R#<seq>` items in release order, each with a `WA#<wa_id>` guard written in the same
 *   transaction on condition that neither exists. A customer is on a list once; adding the same
 *   input again finds its guards at the same positions and adds nothing.
 * - The release cursor moves only from the tick its writer read, so a duplicated or overtaken tick
 *   does nothing.
 */
export function dynamoCampaignStore(deps: CampaignStoreDeps): CampaignStore {
  const { db, tableName: TableName } = deps;
  const retentionSeconds = Math.round((deps.recipientRetentionDays ?? 400) * 24 * 3_600);
  const valid = (businessId: string, campaignId: string) => isBusinessId(businessId) && isCampaignId(campaignId);

  const getItem = async (pk: string, sk: string): Promise<Item | undefined> =>
    (await db.send(new GetCommand({ TableName, Key: { pk, sk }, ConsistentRead: true }))).Item;

  async function readCampaign(businessId: string, campaignId: string): Promise<Campaign | undefined> {
    if (!valid(businessId, campaignId)) return undefined;
    const item = await getItem(campaignsPk(businessId), campaignSk(campaignId));
    return item && item.businessId === businessId && item.campaignId === campaignId ? campaignFrom(item) : undefined;
  }

  /** Why a conditional campaign update was refused, read after the fact. */
  async function whyRefused(
    businessId: string,
    campaignId: string,
    states: readonly CampaignState[],
    expectedVersion: number | undefined,
  ): Promise<CampaignResult<Campaign>> {
    const current = await readCampaign(businessId, campaignId);
    if (!current) return refuse('not_found', 'No campaign with that id in this business');
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      return refuse('changed_meanwhile', `The campaign changed meanwhile: at version ${current.version}, not ${expectedVersion}; reload and try again`);
    }
    if (!states.includes(current.state)) return refuse('wrong_state', `The campaign is ${current.state}; this needs it ${states.join(' or ')}`);
    return refuse('changed_meanwhile', 'The campaign changed meanwhile; reload and try again');
  }

  async function update(input: {
    businessId: string;
    campaignId: string;
    set: Item;
    remove?: string[];
    /** Further SET actions with their own names and values (nested paths, if_not_exists). */
    raw?: { actions: string[]; names: Record<string, string>; values: Item };
    states: readonly CampaignState[];
    expectedVersion?: number;
  }): Promise<CampaignResult<Campaign>> {
    const { businessId, campaignId, states, expectedVersion } = input;
    if (!valid(businessId, campaignId)) return refuse('not_found', 'No campaign with that id in this business');
    const names: Record<string, string> = { '#state': 'state', '#version': 'version', ...input.raw?.names };
    const values: Item = { ':one': 1, ...input.raw?.values };
    const sets = Object.entries(input.set).map(([k, v], i) => {
      names[`#s${i}`] = k;
      values[`:s${i}`] = v;
      return `#s${i} = :s${i}`;
    });
    sets.push(...(input.raw?.actions ?? []));
    const stateValues = states.map((s, i) => {
      values[`:from${i}`] = s;
      return `:from${i}`;
    });
    const removes = (input.remove ?? []).map((k, i) => {
      names[`#r${i}`] = k;
      return `#r${i}`;
    });
    let condition = `attribute_exists(pk) AND #state IN (${stateValues.join(', ')})`;
    if (expectedVersion !== undefined) {
      values[':expected'] = expectedVersion;
      condition += ' AND #version = :expected';
    }
    try {
      const out = await db.send(
        new UpdateCommand({
          TableName,
          Key: { pk: campaignsPk(businessId), sk: campaignSk(campaignId) },
          UpdateExpression: `SET ${[...sets, '#version = #version + :one'].join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return ok(campaignFrom(out.Attributes ?? {}));
    } catch (err) {
      if (isConditionalCheckFailed(err)) return whyRefused(businessId, campaignId, states, expectedVersion);
      throw err;
    }
  }

  /** Items by key, 100 keys a call, the calls of one batch in parallel. */
  async function batchGet(keys: Array<{ pk: string; sk: string }>): Promise<Item[]> {
    const calls: Array<Array<Record<string, unknown>>> = [];
    for (let i = 0; i < keys.length; i += 100) calls.push(keys.slice(i, i + 100));
    const pages = await Promise.all(
      calls.map(async (first) => {
        const items: Item[] = [];
        let pending = first;
        for (let round = 0; pending.length > 0 && round < 6; round++) {
          if (round > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** round));
          const out = await db.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending, ConsistentRead: true } } }));
          items.push(...(out.Responses?.[TableName] ?? []));
          pending = (out.UnprocessedKeys?.[TableName]?.Keys as Array<Record<string, unknown>> | undefined) ?? [];
        }
        if (pending.length > 0) throw new Error('campaign list guards could not be read (unprocessed keys)');
        return items;
      }),
    );
    return pages.flat();
  }

  /** One page of a query, the caller's cursor checked against the partition it reads. */
  async function queryPage(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>, cursor: string | undefined, pk: string, skPrefix: string) {
    const start = cursor === undefined ? undefined : decodeCursor(cursor, { pk: { equals: pk }, sk: { startsWith: skPrefix } });
    return db.send(new QueryCommand({ TableName, ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
  }

  const expiry = (at: string) => Math.floor(Date.parse(at) / 1000) + retentionSeconds;

  const store: CampaignStore = {
    async create(campaign) {
      if (!valid(campaign.businessId, campaign.campaignId)) throw new RangeError('create: not a business or campaign id');
      await db.send(
        new PutCommand({
          TableName,
          Item: { pk: campaignsPk(campaign.businessId), sk: campaignSk(campaign.campaignId), entity: ENTITY.campaign, ...withoutUndefined(campaign) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    get: readCampaign,

    async list(businessId, page) {
      if (!isBusinessId(businessId)) return { items: [] };
      const pk = campaignsPk(businessId);
      const out = await queryPage(
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': 'CAMPAIGN#' },
          ScanIndexForward: false,
          Limit: clampLimit(page.limit),
        },
        page.cursor,
        pk,
        'CAMPAIGN#',
      );
      return pageOf((out.Items ?? []).map(campaignFrom), out.LastEvaluatedKey);
    },

    async updateDraft(businessId, campaignId, expectedVersion, change, at) {
      return update({
        businessId,
        campaignId,
        set: withoutUndefined({
          name: change.name,
          accountId: change.accountId,
          template: change.template,
          audience: change.audience,
          rateShare: change.rateShare,
          startAt: change.startAt,
          updatedAt: at,
        }),
        remove: change.startAt === undefined ? ['startAt'] : [],
        states: ['draft'],
        expectedVersion,
      });
    },

    async transition(businessId, campaignId, from, to, at, extra = {}) {
      const set: Item = { state: to, updatedAt: at };
      const remove: string[] = [];
      if (to === 'paused') {
        if (extra.pauseReason) set.pauseReason = extra.pauseReason;
      } else remove.push('pauseReason');
      if (to === 'scheduled') set.scheduledAt = at;
      if (to === 'completed' || to === 'cancelled') set.completedAt = at;
      if (extra.template) set.template = withoutUndefined(extra.template);
      if (extra.list) set.list = withoutUndefined({ ...extra.list });
      // The first start only: a resume keeps the time the campaign first ran. Counts set with the move (scheduling).
      const raw = { actions: [] as string[], names: {} as Record<string, string>, values: {} as Item };
      if (to === 'running') {
        raw.actions.push('#startedAt = if_not_exists(#startedAt, :startedAt)');
        raw.names['#startedAt'] = 'startedAt';
        raw.values[':startedAt'] = at;
      }
      if (extra.counts?.targeted !== undefined) {
        raw.actions.push('#counts.#targeted = :targeted');
        Object.assign(raw.names, { '#counts': 'counts', '#targeted': 'targeted' });
        raw.values[':targeted'] = extra.counts.targeted;
      }
      if (extra.counts?.skipped !== undefined) {
        raw.actions.push('#counts.#skipped = :skipped');
        Object.assign(raw.names, { '#counts': 'counts', '#skipped': 'skipped' });
        raw.values[':skipped'] = countMap(extra.counts.skipped);
      }
      return update({ businessId, campaignId, set, remove, raw, states: from, expectedVersion: extra.expectedVersion });
    },

    async setList(businessId, campaignId, list, options = {}) {
      if (!valid(businessId, campaignId)) return false;
      const names: Record<string, string> = { '#list': 'list' };
      const values: Item = { ':list': withoutUndefined({ ...list }) };
      const sets = ['#list = :list'];
      if (options.counts) {
        Object.assign(names, { '#counts': 'counts', '#targeted': 'targeted', '#skipped': 'skipped' });
        values[':targeted'] = options.counts.targeted;
        values[':skipped'] = countMap(options.counts.skipped);
        sets.push('#counts.#targeted = :targeted', '#counts.#skipped = :skipped');
      }
      let condition = 'attribute_exists(pk)';
      const when = options.when;
      if (when && 'nextChunk' in when) {
        names['#nextChunk'] = 'nextChunk';
        values[':expectedChunk'] = when.nextChunk;
        condition += ' AND #list.#nextChunk = :expectedChunk';
      } else if (when) condition += ` AND ${decidingCondition(when.deciding, names, values)}`;
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: { pk: campaignsPk(businessId), sk: campaignSk(campaignId) },
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (err) {
        if (isConditionalCheckFailed(err)) return false;
        throw err;
      }
    },

    async putListChunk(businessId, campaignId, attempt, chunk, staged) {
      await db.send(new PutCommand({ TableName, Item: stagedChunkItem(businessId, campaignId, attempt, chunk, staged) }));
    },

    async commitDecidingStep(businessId, campaignId, commit) {
      const { step, attempt } = commit;
      if (!valid(businessId, campaignId) || !ATTEMPT.test(attempt) || !Number.isInteger(step) || step < 0)
        throw new RangeError('commitDecidingStep: not a campaign, attempt or step');
      const names: Record<string, string> = { '#list': 'list' };
      const values: Item = { ':list': withoutUndefined({ ...commit.list }) };
      const sets = ['#list = :list'];
      if (commit.counts) {
        Object.assign(names, { '#counts': 'counts', '#targeted': 'targeted', '#skipped': 'skipped' });
        values[':targeted'] = commit.counts.targeted;
        values[':skipped'] = countMap(commit.counts.skipped);
        sets.push('#counts.#targeted = :targeted', '#counts.#skipped = :skipped');
      }
      const condition = `attribute_exists(pk) AND ${decidingCondition({ step, attempt }, names, values)}`;
      const items: TransactItem[] = [
        {
          Update: {
            TableName,
            Key: { pk: campaignsPk(businessId), sk: campaignSk(campaignId) },
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          },
        },
      ];
      let bytes = 0;
      for (const { chunk, staged } of commit.chunks) {
        const item = stagedChunkItem(businessId, campaignId, attempt, chunk, staged);
        bytes += Buffer.byteLength(item.recipients);
        items.push({ Put: { TableName, Item: item } });
      }
      if (commit.walk) {
        const { met, cursor } = commit.walk;
        if (met.length > MAX_WALK_BYTES || cursor.length === 0 || cursor.length > 4_000) throw new RangeError('commitDecidingStep: the walk is over its size');
        bytes += met.length + cursor.length;
        items.push({
          Put: {
            TableName,
            Item: {
              pk: campaignListPk(businessId, campaignId),
              sk: listWalkSk(attempt, step),
              entity: ENTITY.walk,
              businessId,
              campaignId,
              step,
              cursor,
              // An empty binary attribute is left out: a step may meet nobody new.
              ...(met.length > 0 ? { met } : {}),
              expiresAt: Math.floor(Date.now() / 1000) + STAGED_CHUNK_TTL_SECONDS,
            },
          },
        });
      }
      if (items.length > MAX_DECIDING_STEP_ACTIONS || bytes > MAX_DECIDING_STEP_BYTES)
        throw new RangeError('commitDecidingStep: the step is over what one transaction takes');
      return transactWhen(items);
    },

    async decidingWalk(businessId, campaignId, attempt, beforeStep) {
      if (!valid(businessId, campaignId) || !ATTEMPT.test(attempt) || !Number.isInteger(beforeStep) || beforeStep <= 0) return { met: [] };
      const met: Uint8Array[] = [];
      let cursor: string | undefined;
      let start: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':pk': campaignListPk(businessId, campaignId),
              ':from': listWalkSk(attempt, 0),
              ':to': listWalkSk(attempt, beforeStep - 1),
            },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of out.Items ?? []) {
          if (item.met instanceof Uint8Array) met.push(item.met);
          if (item.step === beforeStep - 1 && typeof item.cursor === 'string') cursor = item.cursor;
        }
        start = out.LastEvaluatedKey;
      } while (start);
      return cursor ? { met, cursor } : { met };
    },

    async listChunk(businessId, campaignId, attempt, chunk): Promise<StagedChunk | undefined> {
      if (!valid(businessId, campaignId) || !ATTEMPT.test(attempt) || !Number.isInteger(chunk) || chunk < 0) return undefined;
      const item = await getItem(campaignListPk(businessId, campaignId), listChunkSk(attempt, chunk));
      if (!item || typeof item.recipients !== 'string') return undefined;
      return { firstSeq: num(item.firstSeq), recipients: JSON.parse(item.recipients) as StagedChunk['recipients'] };
    },

    async addCounts(businessId, campaignId, delta) {
      if (!valid(businessId, campaignId)) return;
      const names: Record<string, string> = { '#counts': 'counts' };
      const values: Item = {};
      const adds: string[] = [];
      for (const [k, n] of scalarAdditions(delta)) {
        names[`#${k}`] = k;
        values[`:${k}`] = n;
        adds.push(`#counts.#${k} :${k}`);
      }
      for (const map of ['skipped', 'failedByError'] as const) {
        Object.entries(countMap(delta[map])).forEach(([key, n], i) => {
          names[`#${map}`] = map;
          names[`#${map}${i}`] = key;
          values[`:${map}${i}`] = n;
          adds.push(`#counts.#${map}.#${map}${i} :${map}${i}`);
        });
      }
      if (adds.length === 0) return;
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: { pk: campaignsPk(businessId), sk: campaignSk(campaignId) },
            UpdateExpression: `ADD ${adds.join(', ')}`,
            // A count for a campaign that is not there creates nothing.
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
      }
    },

    async addRecipients(businessId, campaignId, firstSeq, recipients) {
      if (!valid(businessId, campaignId)) throw new RangeError('addRecipients: not a business or campaign id');
      if (!Number.isInteger(firstSeq) || firstSeq < 0) throw new RangeError('addRecipients: firstSeq is a whole number');
      for (const r of recipients) if (!WA_ID.test(r.waId)) throw new RangeError("addRecipients: a wa_id is the number's digits");
      const pk = campaignListPk(businessId, campaignId);

      // Repeats inside the input are duplicates; the first occurrence keeps its place.
      const duplicates: string[] = [];
      const unique: typeof recipients = [];
      const inInput = new Set<string>();
      for (const r of recipients) {
        if (inInput.has(r.waId)) duplicates.push(r.waId);
        else {
          inInput.add(r.waId);
          unique.push(r);
        }
      }

      let added = 0;
      let nextSeq = firstSeq;
      for (let i = 0; i < unique.length; i += RECIPIENTS_PER_TRANSACTION * PARALLEL_TRANSACTIONS) {
        const batch = unique.slice(i, i + RECIPIENTS_PER_TRANSACTION * PARALLEL_TRANSACTIONS);
        const guards = await batchGet(batch.map((r) => ({ pk, sk: recipientRefSk(r.waId) })));
        const guardSeq = new Map(guards.map((g) => [String(g.waId ?? String(g.sk).slice(3)), Number(g.seq)]));
        const writes: Array<{ seq: number; recipient: (typeof recipients)[number] }> = [];
        for (const r of batch) {
          const seq = guardSeq.get(r.waId);
          if (seq === undefined) {
            if (nextSeq > MAX_SEQ) throw new RangeError('addRecipients: the list is full');
            writes.push({ seq: nextSeq, recipient: r });
            nextSeq++;
            added++;
          } else if (seq === nextSeq) {
            // Added by an earlier try of the same input: at its place already.
            nextSeq++;
            added++;
          } else duplicates.push(r.waId);
        }
        const chunks: Array<typeof writes> = [];
        for (let j = 0; j < writes.length; j += RECIPIENTS_PER_TRANSACTION) chunks.push(writes.slice(j, j + RECIPIENTS_PER_TRANSACTION));
        await Promise.all(
          chunks.map((chunk) =>
            transact(
              chunk.flatMap(({ seq, recipient }) => {
                const at = new Date().toISOString();
                return [
                  {
                    Put: {
                      TableName,
                      Item: {
                        pk,
                        sk: recipientRefSk(recipient.waId),
                        entity: ENTITY.ref,
                        businessId,
                        campaignId,
                        waId: recipient.waId,
                        seq,
                        expiresAt: expiry(at),
                      },
                      ConditionExpression: 'attribute_not_exists(pk)',
                    },
                  },
                  {
                    Put: {
                      TableName,
                      Item: withoutUndefined({
                        pk,
                        sk: recipientSk(seq),
                        entity: ENTITY.recipient,
                        businessId,
                        campaignId,
                        waId: recipient.waId,
                        contactId: recipient.contactId,
                        variables: recipient.variables,
                        seq,
                        state: 'queued',
                        messageId: recipient.messageId,
                        conversationKey: recipient.conversationKey,
                        listedAt: at,
                        expiresAt: expiry(at),
                      }),
                      ConditionExpression: 'attribute_not_exists(pk)',
                    },
                  },
                ] satisfies TransactItem[];
              }),
            ),
          ),
        );
      }
      return { added, duplicates, nextSeq };
    },

    async listEnd(businessId, campaignId) {
      if (!valid(businessId, campaignId)) return 0;
      const out = await db.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
          ExpressionAttributeValues: { ':pk': campaignListPk(businessId, campaignId), ':r': 'R#' },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
          ProjectionExpression: 'seq',
        }),
      );
      const last = out.Items?.[0]?.seq;
      return typeof last === 'number' ? last + 1 : 0;
    },

    async recipientsFrom(businessId, campaignId, fromSeq, limit) {
      if (!valid(businessId, campaignId) || fromSeq > MAX_SEQ) return [];
      const out = await db.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': campaignListPk(businessId, campaignId),
            ':from': recipientSk(Math.max(0, Math.floor(fromSeq))),
            ':to': recipientSk(MAX_SEQ),
          },
          Limit: Math.max(1, Math.min(1_000, Math.floor(limit) || 1)),
          ConsistentRead: true,
        }),
      );
      return (out.Items ?? []).map(recipientFrom);
    },

    async recipientByWaId(businessId, campaignId, waId) {
      if (!valid(businessId, campaignId) || !WA_ID.test(waId)) return undefined;
      const ref = await getItem(campaignListPk(businessId, campaignId), recipientRefSk(waId));
      if (typeof ref?.seq !== 'number') return undefined;
      const item = await getItem(campaignListPk(businessId, campaignId), recipientSk(ref.seq));
      return item ? recipientFrom(item) : undefined;
    },

    async advanceRecipient(businessId, campaignId, seq, to, change) {
      if (!valid(businessId, campaignId) || !Number.isInteger(seq) || seq < 0 || seq > MAX_SEQ) return false;
      const before = recipientStatesBefore(to);
      if (before.length === 0) return false;
      const names: Record<string, string> = { '#state': 'state', '#stateAt': recipientStateAt(to) };
      const values: Item = { ':to': to, ':at': change.at };
      // `releasedAt` is the release's time (recipientStateAt('released')), kept on CampaignRecipient.
      const sets = ['#state = :to', '#stateAt = :at'];
      for (const field of ['messageId', 'conversationKey', 'errorCode'] as const) {
        const value = change[field];
        if (value !== undefined) {
          values[`:${field}`] = field === 'errorCode' ? value.slice(0, 64) : value;
          sets.push(`${field} = :${field}`);
        }
      }
      for (const [i, s] of before.entries()) values[`:b${i}`] = s;
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: { pk: campaignListPk(businessId, campaignId), sk: recipientSk(seq) },
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: `attribute_exists(pk) AND #state IN (${before.map((_, i) => `:b${i}`).join(', ')})`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (err) {
        if (isConditionalCheckFailed(err)) return false;
        throw err;
      }
    },

    async markReplied(businessId, campaignId, waId) {
      if (!valid(businessId, campaignId) || !WA_ID.test(waId)) return false;
      const pk = campaignListPk(businessId, campaignId);
      const ref = await getItem(pk, recipientRefSk(waId));
      if (typeof ref?.seq !== 'number') return false;
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: { pk, sk: recipientSk(ref.seq) },
            UpdateExpression: 'SET replied = :yes',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(replied)',
            ExpressionAttributeValues: { ':yes': true },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionalCheckFailed(err)) return false;
        throw err;
      }
    },

    async listRecipients(businessId, campaignId, filter) {
      if (!valid(businessId, campaignId)) return { items: [] };
      if (filter.state !== undefined && !RECIPIENT_STATES.includes(filter.state)) return { items: [] };
      const pk = campaignListPk(businessId, campaignId);
      const limit = clampLimit(filter.limit);
      const items: CampaignRecipient[] = [];
      let cursor = filter.cursor;
      let last: Record<string, unknown> | undefined;
      for (let round = 0; round < MAX_FILTER_ROUNDS; round++) {
        const out = await queryPage(
          {
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
            ...(filter.state ? { FilterExpression: '#state = :state', ExpressionAttributeNames: { '#state': 'state' } } : {}),
            ExpressionAttributeValues: { ':pk': pk, ':r': 'R#', ...(filter.state ? { ':state': filter.state } : {}) },
            // With a filter, Limit counts items read, not kept: never more than the page still needs.
            Limit: limit - items.length,
          },
          cursor,
          pk,
          'R#',
        );
        items.push(...(out.Items ?? []).map(recipientFrom));
        last = out.LastEvaluatedKey;
        if (!last || items.length >= limit) break;
        cursor = encodeCursor(last);
      }
      return pageOf(items, last);
    },

    async getRelease(businessId, campaignId) {
      if (!valid(businessId, campaignId)) return undefined;
      const item = await getItem(campaignListPk(businessId, campaignId), RELEASE_SK);
      return item ? releaseFrom(item) : undefined;
    },

    async putRelease(businessId, campaignId, cursor) {
      if (!valid(businessId, campaignId)) throw new RangeError('putRelease: not a business or campaign id');
      await db.send(
        new PutCommand({
          TableName,
          Item: withoutUndefined({ pk: campaignListPk(businessId, campaignId), sk: RELEASE_SK, entity: ENTITY.release, businessId, campaignId, ...cursor }),
        }),
      );
    },

    async advanceRelease(businessId, campaignId, expectedTick, next) {
      if (!valid(businessId, campaignId)) return false;
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: { pk: campaignListPk(businessId, campaignId), sk: RELEASE_SK },
            UpdateExpression: 'SET nextSeq = :next, tick = tick + :one, lastTickAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND tick = :expected',
            ExpressionAttributeValues: { ':next': next.nextSeq, ':one': 1, ':at': next.at, ':expected': expectedTick },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionalCheckFailed(err)) return false;
        throw err;
      }
    },

    async markRunning(businessId, campaignId) {
      if (!valid(businessId, campaignId)) throw new RangeError('markRunning: not a business or campaign id');
      await db.send(
        new PutCommand({
          TableName,
          Item: { pk: RUNNING_CAMPAIGNS_PK, sk: runningSk(businessId, campaignId), entity: ENTITY.running, businessId, campaignId },
        }),
      );
    },

    async unmarkRunning(businessId, campaignId) {
      if (!valid(businessId, campaignId)) return;
      await db.send(new DeleteCommand({ TableName, Key: { pk: RUNNING_CAMPAIGNS_PK, sk: runningSk(businessId, campaignId) } }));
    },

    async listRunning() {
      const out: Array<{ businessId: string; campaignId: string }> = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': RUNNING_CAMPAIGNS_PK },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of page.Items ?? []) {
          if (isBusinessId(item.businessId) && isCampaignId(item.campaignId)) out.push({ businessId: item.businessId, campaignId: item.campaignId });
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return out;
    },

    async recordReach(businessId, customers, at) {
      if (!isBusinessId(businessId) || !Number.isFinite(customers) || customers <= 0) return;
      const hourStart = Math.floor(at.getTime() / HOUR_MS) * HOUR_MS;
      await db.send(
        new UpdateCommand({
          TableName,
          Key: { pk: limitPk(businessId), sk: limitHourSk(at) },
          UpdateExpression: 'ADD customers :n SET entity = :entity, businessId = :business, hourStart = :hour, expiresAt = :expires',
          ExpressionAttributeValues: {
            ':n': Math.floor(customers),
            ':entity': ENTITY.limit,
            ':business': businessId,
            ':hour': new Date(hourStart).toISOString(),
            ':expires': Math.floor(hourStart / 1000) + LIMIT_BUCKET_TTL_SECONDS,
          },
        }),
      );
    },

    async reachInLast24h(businessId, now) {
      if (!isBusinessId(businessId)) return 0;
      const out = await db.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': limitPk(businessId), ':from': limitHourSk(new Date(now.getTime() - 23 * HOUR_MS)), ':to': limitHourSk(now) },
          ConsistentRead: true,
        }),
      );
      return (out.Items ?? []).reduce((sum, item) => sum + (typeof item.customers === 'number' ? item.customers : 0), 0);
    },
  };

  /**
   * One transaction of list entries and their guards. A guard or position that appeared since the
   * guards were read (another scheduler of the same campaign) cancels it: that is a lost race the
   * caller sees as an error and repeats, finding the guards then.
   */
  async function transact(items: TransactItem[]): Promise<void> {
    if (items.length === 0) return;
    if (!(await transactWhen(items))) throw new RecipientListChangedError();
  }

  /** One transaction, tried again while it only conflicted with another; false when one of its conditions failed. */
  async function transactWhen(items: TransactItem[]): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await db.send(new TransactWriteCommand({ TransactItems: items }));
        return true;
      } catch (err) {
        const codes = cancellationCodes(err);
        const conflictOnly =
          (err as { name?: string }).name === 'TransactionCanceledException' &&
          codes.length > 0 &&
          codes.every((c) => c === 'None' || c === 'TransactionConflict' || c === 'ThrottlingError');
        if (conflictOnly && attempt < 4) {
          await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
          continue;
        }
        if (codes.includes('ConditionalCheckFailed')) return false;
        throw err;
      }
    }
  }

  function stagedChunkItem(businessId: string, campaignId: string, attempt: string, chunk: number, staged: StagedChunk) {
    if (!valid(businessId, campaignId) || !ATTEMPT.test(attempt) || !Number.isInteger(chunk) || chunk < 0)
      throw new RangeError('putListChunk: not a campaign, attempt or chunk');
    const recipients = JSON.stringify(staged.recipients);
    // DynamoDB counts an item's size in UTF-8 bytes.
    if (Buffer.byteLength(recipients) > MAX_STAGED_CHUNK_BYTES) throw new RangeError('putListChunk: the chunk is over the staged size');
    return {
      pk: campaignListPk(businessId, campaignId),
      sk: listChunkSk(attempt, chunk),
      entity: ENTITY.staged,
      businessId,
      campaignId,
      firstSeq: staged.firstSeq,
      recipients,
      expiresAt: Math.floor(Date.now() / 1000) + STAGED_CHUNK_TTL_SECONDS,
    };
  }

  return store;
}

/**
 * The condition that a campaign's list is at deciding step `at` (ListDecidingStep): step 0 — still
 * building, nothing decided, no step taken; a later step — that step of that attempt.
 */
function decidingCondition(at: ListDecidingStep, names: Record<string, string>, values: Item): string {
  names['#list'] = 'list';
  names['#deciding'] = 'deciding';
  if (at.step === 0) {
    Object.assign(names, { '#chunks': 'chunks', '#listStatus': 'status' });
    values[':building'] = 'building';
    return 'attribute_not_exists(#list.#chunks) AND attribute_not_exists(#list.#deciding) AND #list.#listStatus = :building';
  }
  Object.assign(names, { '#decidingStep': 'step', '#attempt': 'attempt' });
  values[':decidingStep'] = at.step;
  values[':decidingAttempt'] = at.attempt ?? '';
  return '#list.#deciding.#decidingStep = :decidingStep AND #list.#attempt = :decidingAttempt';
}

function clampLimit(limit: number): number {
  return Math.max(1, Math.min(MAX_PAGE, Math.floor(limit) || 1));
}

function pageOf<T>(items: T[], lastKey: Record<string, unknown> | undefined): Page<T> {
  const cursor = encodeCursor(lastKey);
  return cursor ? { items, cursor } : { items };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const num = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const numberMap = (v: unknown): Record<string, number> =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? (Object.fromEntries(Object.entries(v as Item).filter(([, n]) => typeof n === 'number')) as Record<string, number>)
    : {};

export function countsFrom(value: unknown): CampaignCounts {
  const item = value && typeof value === 'object' ? (value as Item) : {};
  const empty = emptyCounts();
  return {
    targeted: num(item.targeted),
    skipped: numberMap(item.skipped),
    released: num(item.released),
    sent: num(item.sent),
    delivered: num(item.delivered),
    read: num(item.read),
    replied: num(item.replied),
    failed: num(item.failed),
    failedByError: numberMap(item.failedByError),
    optedOut: num(item.optedOut),
    spendMicros: num(item.spendMicros, empty.spendMicros),
  };
}

export function campaignFrom(item: Item): Campaign {
  return withoutUndefined({
    businessId: String(item.businessId),
    campaignId: String(item.campaignId),
    name: String(item.name ?? ''),
    accountId: String(item.accountId ?? ''),
    template: (item.template ?? {}) as Campaign['template'],
    audience: (item.audience ?? { kind: 'contacts' }) as Campaign['audience'],
    startAt: str(item.startAt),
    rateShare: num(item.rateShare, 0.8),
    state: String(item.state) as CampaignState,
    pauseReason: str(item.pauseReason) as Campaign['pauseReason'],
    list: item.list && typeof item.list === 'object' ? (item.list as Campaign['list']) : undefined,
    counts: countsFrom(item.counts),
    createdBy: String(item.createdBy ?? ''),
    createdAt: String(item.createdAt ?? ''),
    updatedAt: String(item.updatedAt ?? ''),
    scheduledAt: str(item.scheduledAt),
    startedAt: str(item.startedAt),
    completedAt: str(item.completedAt),
    version: num(item.version),
  }) as Campaign;
}

export function recipientFrom(item: Item): CampaignRecipient {
  return withoutUndefined({
    campaignId: String(item.campaignId),
    waId: String(item.waId),
    contactId: str(item.contactId),
    variables: (item.variables && typeof item.variables === 'object' ? item.variables : {}) as Record<string, string>,
    seq: num(item.seq),
    state: String(item.state) as RecipientState,
    messageId: str(item.messageId),
    conversationKey: str(item.conversationKey),
    releasedAt: str(item.releasedAt),
    errorCode: str(item.errorCode),
    replied: item.replied === true ? true : undefined,
  }) as CampaignRecipient;
}

function releaseFrom(item: Item): ReleaseCursor {
  return withoutUndefined({ nextSeq: num(item.nextSeq), total: num(item.total), tick: num(item.tick), lastTickAt: str(item.lastTickAt) }) as ReleaseCursor;
}
