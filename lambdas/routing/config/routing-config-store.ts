import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import { dynamoContactStore } from '#lambdas/contacts/contact-store';
import { contactRoutingTags } from '#lambdas/contacts/routing-contact-tags';
import {
  actorOf,
  pageSize,
  type ContactRef,
  type Page,
  type PageRequest,
  type RoutingConfigAdmin,
  type WriteOptions,
} from '#lambdas/routing/config/routing-config-admin';
import {
  parseAgent,
  parseContact,
  parseContactTags,
  parseMacro,
  parseQueue,
  parseRules,
  queuesNamedBy,
  requireBusiness,
  requireExpectedVersion,
  requireId,
  rulesUse,
} from '#lambdas/routing/config/routing-config-validation';
import { agentSk, CONTACT_TAGS_SK, contactTagsPk, macroSk, queueSk, routingPk, RULES_SK, waitingPk } from '#lambdas/routing/routing-keys';
import {
  PRESENCES,
  type Macro,
  type Presence,
  type QueueInput,
  type RoutingAgent,
  type RoutingQueue,
  type RoutingRules,
  type RoutingRulesInput,
} from '#lambdas/routing/routing-model';
import type { RoutingConfig } from '#lambdas/routing/routing-ports';
import { truncateUtf8 } from '#lambdas/shared/bounded-id';
import { RoutingConfigError } from '#lambdas/routing/errors';

export interface RoutingConfigStoreDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  /** Default: `() => new Date()`. */
  now?: () => Date;
}

type Item = Record<string, unknown>;

const ENTITY = { agent: 'RoutingAgent', queue: 'RoutingQueue', rules: 'RoutingRules', macro: 'Macro', contactTags: 'ContactTags' } as const;
const PREFIX = { agent: 'AGENT#', queue: 'QUEUE#', macro: 'MACRO#' } as const;
/** Attempts of a save made without an expected version, when other saves keep winning the race. */
const ATTEMPTS = 5;
const MAX_CURSOR_CHARS = 600;

/**
 * The routing configuration of each business in the single table (key layout in
 * `routing-keys.ts`): agents, queues, rules and macros under `ROUTING#<business>`, a customer's
 * tags under `CONTACT#…` (read with the tags of their contact, contacts/contact-store.ts).
 *
 * Agent items are shared with the routing engine, which keeps `presence`, `presenceChangedAt`,
 * `activeConversationKeys` (a string set, absent when empty) and `lastActivityAt` on them with
 * conditional updates: an admin's save is an UpdateItem that sets only the admin's fields, and
 * starts a new agent `offline`.
 *
 * References are kept whole by transactions: a rules save checks that every queue it names exists
 * in the same transaction, and deleting a queue checks that the rules did not change since they
 * were read. A queue's overflow target keeps the set of queues that overflow into it
 * (`overflowReferrers`, maintained by the referrers' saves), so it cannot be deleted while named.
 */
export function routingConfigStore(deps: RoutingConfigStoreDeps): RoutingConfigAdmin {
  const { db, tableName: TableName } = deps;
  const contacts = dynamoContactStore({ db, tableName: TableName });
  const now = (options?: WriteOptions) => (options?.now ?? deps.now?.() ?? new Date()).toISOString();

  const get = async (pk: string, sk: string): Promise<Item | undefined> =>
    (await db.send(new GetCommand({ TableName, Key: { pk, sk }, ConsistentRead: true }))).Item;

  async function queryAll(businessId: string, prefix: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await db.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': routingPk(businessId), ':prefix': prefix },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async function queryPage(businessId: string, prefix: string, page?: PageRequest): Promise<{ items: Item[]; cursor?: string }> {
    const pk = routingPk(businessId);
    const out = await db.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        Limit: pageSize(page),
        ...(page?.cursor ? { ExclusiveStartKey: { pk, sk: decodeCursor(page.cursor, prefix) } } : {}),
      }),
    );
    const last = out.LastEvaluatedKey?.sk;
    return { items: out.Items ?? [], ...(typeof last === 'string' ? { cursor: Buffer.from(last, 'utf8').toString('base64url') } : {}) };
  }

  async function getRules(businessId: string): Promise<RoutingRules | undefined> {
    requireBusiness(businessId);
    const item = await get(routingPk(businessId), RULES_SK);
    return item ? rulesFrom(businessId, item) : undefined;
  }

  async function getQueue(businessId: string, queueId: string): Promise<RoutingQueue | undefined> {
    requireBusiness(businessId);
    const item = await get(routingPk(businessId), queueSk(requireId(queueId, 'queueId')));
    return item ? queueFrom(businessId, item) : undefined;
  }

  async function putQueueOnce(businessId: string, queue: QueueInput, options: WriteOptions): Promise<RoutingQueue> {
    const pk = routingPk(businessId);
    const previous = await get(pk, queueSk(queue.queueId));
    const previousVersion = previous ? numberOr(previous.version, 0) : 0;
    if (options.expectedVersion !== undefined && options.expectedVersion !== previousVersion) {
      throw conflict('queue', queue.queueId, options.expectedVersion, previousVersion);
    }
    const updatedAt = now(options);
    const previousOverflow = typeof previous?.overflowQueueId === 'string' ? previous.overflowQueueId : undefined;
    const set: Record<string, unknown> = {
      entity: ENTITY.queue,
      businessId,
      queueId: queue.queueId,
      name: queue.name,
      requiredSkills: queue.requiredSkills,
      languages: queue.languages,
      channels: queue.channels,
      priority: queue.priority,
      sla: queue.sla,
      offerTimeoutSeconds: queue.offerTimeoutSeconds,
      updatedAt,
      updatedBy: actorOf(options),
      version: previousVersion + 1,
      ...(queue.hours ? { hours: queue.hours } : {}),
      ...(queue.overflowQueueId ? { overflowQueueId: queue.overflowQueueId } : {}),
    };
    const remove = (['hours', 'overflowQueueId'] as const).filter((k) => queue[k] === undefined);
    const update = updateExpression(set, remove);
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
      {
        Update: {
          TableName,
          Key: { pk, sk: queueSk(queue.queueId) },
          ...update,
          ConditionExpression: previous ? '#version = :previousVersion' : 'attribute_not_exists(pk)',
          ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#version': 'version' },
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...(previous ? { ':previousVersion': previousVersion } : {}) },
        },
      },
    ];
    const overflowIndex = queue.overflowQueueId && queue.overflowQueueId !== previousOverflow ? items.length : -1;
    if (queue.overflowQueueId && queue.overflowQueueId !== previousOverflow) {
      items.push({
        Update: {
          TableName,
          Key: { pk, sk: queueSk(queue.overflowQueueId) },
          UpdateExpression: 'ADD overflowReferrers :me',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':me': new Set([queue.queueId]) },
        },
      });
    }
    if (previousOverflow && previousOverflow !== queue.overflowQueueId) {
      items.push({
        Update: {
          TableName,
          Key: { pk, sk: queueSk(previousOverflow) },
          UpdateExpression: 'DELETE overflowReferrers :me',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':me': new Set([queue.queueId]) },
        },
      });
    }
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (err) {
      const codes = cancellationCodes(err);
      if (overflowIndex > 0 && codes[overflowIndex] === 'ConditionalCheckFailed' && codes[0] !== 'ConditionalCheckFailed') {
        throw new RoutingConfigError('unknown_queue', `overflowQueueId: no queue ${queue.overflowQueueId} in this business`);
      }
      if (codes.includes('ConditionalCheckFailed')) throw new RetrySave();
      throw err;
    }
    return { ...queue, businessId, version: previousVersion + 1, updatedAt };
  }

  async function putRulesOnce(businessId: string, rules: RoutingRulesInput, options: WriteOptions): Promise<RoutingRules> {
    const pk = routingPk(businessId);
    const current = await get(pk, RULES_SK);
    const previousVersion = current ? numberOr(current.version, 0) : 0;
    if (options.expectedVersion !== undefined && options.expectedVersion !== previousVersion) {
      throw conflict('rules', 'rules', options.expectedVersion, previousVersion);
    }
    const saved: RoutingRules = { ...rules, businessId, version: previousVersion + 1, updatedAt: now(options) };
    const named = [...queuesNamedBy(rules)];
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName,
                Item: { pk, sk: RULES_SK, entity: ENTITY.rules, ...saved, updatedBy: actorOf(options) },
                ConditionExpression: current ? '#version = :previousVersion' : 'attribute_not_exists(pk)',
                ...(current ? { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':previousVersion': previousVersion } } : {}),
              },
            },
            ...named.map(([queueId]) => ({ ConditionCheck: { TableName, Key: { pk, sk: queueSk(queueId) }, ConditionExpression: 'attribute_exists(pk)' } })),
          ],
        }),
      );
    } catch (err) {
      const codes = cancellationCodes(err);
      const missing = named.filter((_, i) => codes[i + 1] === 'ConditionalCheckFailed');
      if (missing.length > 0 && codes[0] !== 'ConditionalCheckFailed') {
        throw new RoutingConfigError('unknown_queue', missing.map(([queueId, field]) => `${field}: no queue ${queueId} in this business`).join('; '));
      }
      if (codes[0] === 'ConditionalCheckFailed') throw new RetrySave();
      throw err;
    }
    return saved;
  }

  async function deleteQueueOnce(businessId: string, queueId: string): Promise<void> {
    const pk = routingPk(businessId);
    const item = await get(pk, queueSk(queueId));
    if (!item) throw new RoutingConfigError('not_found', `No queue ${queueId} in this business`);
    const referrers = stringList(item.overflowReferrers);
    if (referrers.length > 0) {
      throw new RoutingConfigError('queue_in_use', `Queue ${queueId} is in use: ${referrers.join(', ')} overflow into it; change their overflowQueueId first`);
    }
    const rulesItem = await get(pk, RULES_SK);
    const rules = rulesItem ? rulesFrom(businessId, rulesItem) : undefined;
    const use = rulesUse(rules, queueId);
    if (use) throw new RoutingConfigError('queue_in_use', `Queue ${queueId} is in use: ${use}; change the rules first`);
    const waiting = await db.send(
      new QueryCommand({
        TableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :w',
        ExpressionAttributeValues: { ':w': waitingPk(businessId, queueId) },
        Limit: 1,
        ProjectionExpression: 'pk',
      }),
    );
    if ((waiting.Items ?? []).length > 0) {
      throw new RoutingConfigError('queue_in_use', `Queue ${queueId} is in use: conversations are waiting in it; transfer them first`);
    }
    const overflow = typeof item.overflowQueueId === 'string' ? item.overflowQueueId : undefined;
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName,
                Key: { pk, sk: queueSk(queueId) },
                ConditionExpression: '#version = :version AND attribute_not_exists(overflowReferrers)',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': item.version },
              },
            },
            {
              ConditionCheck: {
                TableName,
                Key: { pk, sk: RULES_SK },
                ...(rules
                  ? {
                      ConditionExpression: '#version = :version',
                      ExpressionAttributeNames: { '#version': 'version' },
                      ExpressionAttributeValues: { ':version': rules.version },
                    }
                  : { ConditionExpression: 'attribute_not_exists(pk)' }),
              },
            },
            ...(overflow
              ? [
                  {
                    Update: {
                      TableName,
                      Key: { pk, sk: queueSk(overflow) },
                      UpdateExpression: 'DELETE overflowReferrers :me',
                      ConditionExpression: 'attribute_exists(pk)',
                      ExpressionAttributeValues: { ':me': new Set([queueId]) },
                    },
                  },
                ]
              : []),
          ],
        }),
      );
    } catch (err) {
      if (cancellationCodes(err).includes('ConditionalCheckFailed')) throw new RetrySave();
      throw err;
    }
  }

  async function getContactTags(businessId: string, contact: ContactRef): Promise<string[]> {
    requireBusiness(businessId);
    const { channel, customerId } = parseContact(contact);
    const item = await get(contactTagsPk(businessId, channel, customerId), CONTACT_TAGS_SK);
    return [...new Set(stringList(item?.tags))].sort();
  }

  return {
    async loadConfig(businessId): Promise<RoutingConfig> {
      requireBusiness(businessId);
      const [agents, queues, rules] = await Promise.all([queryAll(businessId, PREFIX.agent), queryAll(businessId, PREFIX.queue), getRules(businessId)]);
      return {
        businessId,
        agents: agents.map((i) => agentFrom(businessId, i)),
        queues: queues.map((i) => queueFrom(businessId, i)),
        ...(rules ? { rules } : {}),
      };
    },

    // The contact's tags (contacts/routing-contact-tags.ts) with those of the older per-channel item,
    // which the routing admin route and `npm run routing` still write.
    async contactTags(businessId, channel, customerId, accountId) {
      const [ofContact, ofChannel] = await Promise.all([
        contactRoutingTags(contacts, businessId, channel, customerId, accountId),
        getContactTags(businessId, { channel, customerId }),
      ]);
      return [...new Set([...ofContact, ...ofChannel])].sort();
    },

    async listMacros(businessId) {
      requireBusiness(businessId);
      return (await queryAll(businessId, PREFIX.macro)).map((i) => macroFrom(businessId, i));
    },

    async getMacro(businessId, macroId) {
      requireBusiness(businessId);
      const item = await get(routingPk(businessId), macroSk(requireId(macroId, 'macroId')));
      return item ? macroFrom(businessId, item) : undefined;
    },

    async getAgent(businessId, agentId) {
      requireBusiness(businessId);
      const item = await get(routingPk(businessId), agentSk(requireId(agentId, 'agentId')));
      return item ? agentFrom(businessId, item) : undefined;
    },

    async listAgents(businessId, page) {
      requireBusiness(businessId);
      const out = await queryPage(businessId, PREFIX.agent, page);
      return withItems(out, (i) => agentFrom(businessId, i));
    },

    async putAgent(businessId, input, options) {
      requireBusiness(businessId);
      requireExpectedVersion(options.expectedVersion);
      const agent = parseAgent(input);
      const at = now(options);
      // Only the admin's fields: presence and load belong to the engine and survive every save.
      const set = {
        entity: ENTITY.agent,
        businessId,
        agentId: agent.agentId,
        name: agent.name,
        skills: agent.skills,
        languages: agent.languages,
        channels: agent.channels,
        maxConcurrent: agent.maxConcurrent,
        updatedAt: at,
        updatedBy: actorOf(options),
      };
      const update = updateExpression(set, []);
      const expected = options.expectedVersion;
      try {
        const out = await db.send(
          new UpdateCommand({
            TableName,
            Key: { pk: routingPk(businessId), sk: agentSk(agent.agentId) },
            UpdateExpression: `${update.UpdateExpression}, #presence = if_not_exists(#presence, :offline), #presenceChangedAt = if_not_exists(#presenceChangedAt, :at), #version = if_not_exists(#version, :zero) + :one`,
            ExpressionAttributeNames: {
              ...update.ExpressionAttributeNames,
              '#presence': 'presence',
              '#presenceChangedAt': 'presenceChangedAt',
              '#version': 'version',
            },
            ExpressionAttributeValues: {
              ...update.ExpressionAttributeValues,
              ':offline': 'offline' satisfies Presence,
              ':at': at,
              ':zero': 0,
              ':one': 1,
              ...(expected ? { ':expected': expected } : {}),
            },
            ...(expected === undefined ? {} : { ConditionExpression: expected === 0 ? 'attribute_not_exists(#version)' : '#version = :expected' }),
            ReturnValues: 'ALL_NEW',
          }),
        );
        return agentFrom(businessId, out.Attributes ?? {});
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
        const current = await get(routingPk(businessId), agentSk(agent.agentId));
        throw conflict('agent', agent.agentId, expected ?? 0, current ? numberOr(current.version, 0) : 0);
      }
    },

    async deleteAgent(businessId, agentId) {
      requireBusiness(businessId);
      const id = requireId(agentId, 'agentId');
      const key = { pk: routingPk(businessId), sk: agentSk(id) };
      try {
        await db.send(new DeleteCommand({ TableName, Key: key, ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(activeConversationKeys)' }));
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
        const item = await get(key.pk, key.sk);
        if (!item) throw new RoutingConfigError('not_found', `No agent ${id} in this business`);
        const active = stringList(item.activeConversationKeys).length;
        throw new RoutingConfigError('agent_busy', `Agent ${id} has ${active} conversation(s) offered or assigned; transfer or close them first`);
      }
    },

    getQueue,

    async listQueues(businessId, page) {
      requireBusiness(businessId);
      return withItems(await queryPage(businessId, PREFIX.queue, page), (i) => queueFrom(businessId, i));
    },

    async putQueue(businessId, input, options) {
      requireBusiness(businessId);
      requireExpectedVersion(options.expectedVersion);
      const queue = parseQueue(input);
      return retried(
        () => putQueueOnce(businessId, queue, options),
        options,
        async () => numberOr((await getQueue(businessId, queue.queueId))?.version, 0),
        'queue',
        queue.queueId,
      );
    },

    async deleteQueue(businessId, queueId) {
      requireBusiness(businessId);
      const id = requireId(queueId, 'queueId');
      return retried(
        () => deleteQueueOnce(businessId, id),
        {},
        async () => 0,
        'queue',
        id,
      );
    },

    getRules,

    async putRules(businessId, input, options) {
      requireBusiness(businessId);
      requireExpectedVersion(options.expectedVersion);
      const rules = parseRules(input);
      return retried(
        () => putRulesOnce(businessId, rules, options),
        options,
        async () => (await getRules(businessId))?.version ?? 0,
        'rules',
        'rules',
      );
    },

    async listMacrosPage(businessId, page) {
      requireBusiness(businessId);
      return withItems(await queryPage(businessId, PREFIX.macro, page), (i) => macroFrom(businessId, i));
    },

    async putMacro(businessId, input, options) {
      requireBusiness(businessId);
      requireExpectedVersion(options.expectedVersion);
      const macro = parseMacro(input);
      const at = now(options);
      const update = updateExpression(
        {
          entity: ENTITY.macro,
          businessId,
          macroId: macro.macroId,
          name: macro.name,
          texts: macro.texts,
          addTags: macro.addTags,
          updatedAt: at,
          updatedBy: actorOf(options),
        },
        [],
      );
      const expected = options.expectedVersion;
      try {
        const out = await db.send(
          new UpdateCommand({
            TableName,
            Key: { pk: routingPk(businessId), sk: macroSk(macro.macroId) },
            UpdateExpression: `${update.UpdateExpression}, #version = if_not_exists(#version, :zero) + :one`,
            ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#version': 'version' },
            ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':zero': 0, ':one': 1, ...(expected ? { ':expected': expected } : {}) },
            ...(expected === undefined ? {} : { ConditionExpression: expected === 0 ? 'attribute_not_exists(#version)' : '#version = :expected' }),
            ReturnValues: 'ALL_NEW',
          }),
        );
        return macroFrom(businessId, out.Attributes ?? {});
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
        const current = await get(routingPk(businessId), macroSk(macro.macroId));
        throw conflict('macro', macro.macroId, expected ?? 0, current ? numberOr(current.version, 0) : 0);
      }
    },

    async deleteMacro(businessId, macroId) {
      requireBusiness(businessId);
      const id = requireId(macroId, 'macroId');
      try {
        await db.send(new DeleteCommand({ TableName, Key: { pk: routingPk(businessId), sk: macroSk(id) }, ConditionExpression: 'attribute_exists(pk)' }));
      } catch (err) {
        if (isConditionalCheckFailed(err)) throw new RoutingConfigError('not_found', `No macro ${id} in this business`);
        throw err;
      }
    },

    async putContactTags(businessId, contact: ContactRef, tags, options) {
      requireBusiness(businessId);
      const { channel, customerId } = parseContact(contact);
      const list = parseContactTags(tags);
      const Key = { pk: contactTagsPk(businessId, channel, customerId), sk: CONTACT_TAGS_SK };
      if (list.length === 0) {
        await db.send(new DeleteCommand({ TableName, Key }));
        return [];
      }
      await db.send(
        new PutCommand({
          TableName,
          Item: {
            ...Key,
            entity: ENTITY.contactTags,
            businessId,
            channel,
            customerId: truncateUtf8(customerId, 256),
            tags: list,
            updatedAt: now(options),
            updatedBy: actorOf(options),
          },
        }),
      );
      return list;
    },

    getContactTags,
  };
}

/** A conditional write lost a race with another save: read again and retry (or report the conflict). */
class RetrySave extends Error {
  override name = 'RetrySave';
}

/**
 * Runs a read-then-conditional-write. With an expected version, a lost race is a conflict at once;
 * without one, the write is retried on what is stored now, a few times.
 */
async function retried<T>(
  once: () => Promise<T>,
  options: Pick<WriteOptions, 'expectedVersion'>,
  currentVersion: () => Promise<number>,
  what: string,
  id: string,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await once();
    } catch (err) {
      if (!(err instanceof RetrySave)) throw err;
      if (options.expectedVersion !== undefined || attempt >= ATTEMPTS) {
        throw conflict(what, id, options.expectedVersion ?? 0, await currentVersion());
      }
    }
  }
}

function conflict(what: string, id: string, expected: number, current: number): RoutingConfigError {
  const name = what === 'rules' ? 'The routing rules' : `The ${what} ${id}`;
  return new RoutingConfigError('version_conflict', `${name} changed meanwhile: at version ${current}, not ${expected}; reload and apply your change again`, {
    currentVersion: current,
  });
}

/** `SET #a = :a, …` (and `REMOVE #b, …`) for the given attributes. */
function updateExpression(
  set: Record<string, unknown>,
  remove: readonly string[],
): { UpdateExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> } {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts = Object.entries(set).map(([k, v]) => {
    names[`#${k}`] = k;
    values[`:${k}`] = v;
    return `#${k} = :${k}`;
  });
  for (const k of remove) names[`#${k}`] = k;
  return {
    UpdateExpression: `SET ${parts.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.map((k) => `#${k}`).join(', ')}` : ''}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

function decodeCursor(cursor: string, prefix: string): string {
  const sk = cursor.length <= MAX_CURSOR_CHARS && /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!sk.startsWith(prefix) || sk.length <= prefix.length) throw new RoutingConfigError('invalid', 'cursor: not one this API handed out');
  return sk;
}

function withItems<T>(page: { items: Item[]; cursor?: string }, map: (item: Item) => T): Page<T> {
  return { items: page.items.map(map), ...(page.cursor ? { cursor: page.cursor } : {}) };
}

const numberOr = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** A list or a string set (as the document client reads it) as a sorted array of strings. */
function stringList(value: unknown): string[] {
  if (value instanceof Set) return [...value].filter((v): v is string => typeof v === 'string').sort();
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

function agentFrom(businessId: string, item: Item): RoutingAgent {
  const presence = (PRESENCES as readonly unknown[]).includes(item.presence) ? (item.presence as Presence) : 'offline';
  return {
    businessId,
    agentId: text(item.agentId),
    name: text(item.name),
    skills: stringList(item.skills),
    languages: stringList(item.languages) as RoutingAgent['languages'],
    channels: stringList(item.channels) as RoutingAgent['channels'],
    maxConcurrent: numberOr(item.maxConcurrent, 1),
    presence,
    presenceChangedAt: text(item.presenceChangedAt),
    activeConversationKeys: [...stringList(item.activeConversationKeys)].sort(),
    ...(typeof item.lastActivityAt === 'string' ? { lastActivityAt: item.lastActivityAt } : {}),
    version: numberOr(item.version, 0),
    updatedAt: text(item.updatedAt),
  };
}

function queueFrom(businessId: string, item: Item): RoutingQueue {
  return {
    businessId,
    queueId: text(item.queueId),
    name: text(item.name),
    requiredSkills: stringList(item.requiredSkills),
    languages: stringList(item.languages) as RoutingQueue['languages'],
    channels: stringList(item.channels) as RoutingQueue['channels'],
    priority: numberOr(item.priority, 50),
    ...(item.hours && typeof item.hours === 'object' ? { hours: item.hours as NonNullable<RoutingQueue['hours']> } : {}),
    sla: item.sla as RoutingQueue['sla'],
    ...(typeof item.overflowQueueId === 'string' ? { overflowQueueId: item.overflowQueueId } : {}),
    offerTimeoutSeconds: numberOr(item.offerTimeoutSeconds, 60),
    version: numberOr(item.version, 0),
    updatedAt: text(item.updatedAt),
  };
}

function rulesFrom(businessId: string, item: Item): RoutingRules {
  return {
    businessId,
    rules: Array.isArray(item.rules) ? (item.rules as RoutingRules['rules']) : [],
    defaultQueueId: text(item.defaultQueueId),
    version: numberOr(item.version, 0),
    updatedAt: text(item.updatedAt),
  };
}

function macroFrom(businessId: string, item: Item): Macro {
  return {
    businessId,
    macroId: text(item.macroId),
    name: text(item.name),
    texts: (item.texts && typeof item.texts === 'object' ? item.texts : {}) as Macro['texts'],
    addTags: stringList(item.addTags),
    version: numberOr(item.version, 0),
    updatedAt: text(item.updatedAt),
  };
}
