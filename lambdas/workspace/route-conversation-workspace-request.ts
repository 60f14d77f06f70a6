import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { getConversation, readConversation, type ConversationRecord } from '#lambdas/human-agent/conversation-views';
import { HumanAgentRequestError } from '#lambdas/human-agent/errors';
import { HUMAN_AGENT_ROUTES } from '#lambdas/human-agent/human-agent-contract';
import { closeConversation, replyAsHuman, type HumanReplyMedia } from '#lambdas/human-agent/human-agent-actions';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { mayDo, requireAction, requireOwnTarget } from '#lambdas/identity/operator-permissions';
import { ownerOfConversation } from '#lambdas/identity/resolve-target';
import { AGENT_WORKSPACE_ROUTES, SUPERVISOR_ROUTES } from '#lambdas/routing/routing-api-contract';
import { CLOSE_OUTCOMES, ROUTING_LANGUAGES, routingId, routingTagSchema } from '#lambdas/routing/routing-model';
import { sha256Hex } from '#lambdas/shared/hash';
import { describeIssues, jsonResponse, readJsonBody } from '#lambdas/shared/http-json';
import { templateVariablesSchema } from '#lambdas/templates/template-variables';
import { channelOfKey } from '#lambdas/conversation/conversation-key';
import { addInternalNote, changeConversationTags, type AnnotatedConversation } from '#lambdas/workspace/annotate-conversation';
import { businessStats } from '#lambdas/workspace/business-stats';
import { sendConversationTemplate, templatesForConversation } from '#lambdas/workspace/conversation-templates';
import { macroReply, type MacroReply } from '#lambdas/workspace/macro-reply';
import { mediaLink } from '#lambdas/workspace/media-link';
import { checkOutboundMediaLink } from '#lambdas/workspace/outbound-media-link';
import { humanReplyWindow } from '#lambdas/conversation/reply-window';
import type { WorkspaceDeps } from '#lambdas/workspace/workspace-deps';
import { CONVERSATION_WORKSPACE_ROUTES } from '#lambdas/workspace/workspace-routes';
import { workspaceUpdates } from '#lambdas/workspace/workspace-updates';

const conversationKeySchema = z.string().min(1).max(1000);
const keyBody = z.strictObject({ conversationKey: conversationKeySchema });
const requestIdSchema = z.string().min(1).max(200);
const tagList = z.array(routingTagSchema).max(20);

const readQuery = z.object({ key: conversationKeySchema, limit: z.coerce.number().int().min(1).max(200).default(50) });
const noteBody = keyBody.extend({ text: z.string().trim().min(1).max(2000) });
const tagsBody = keyBody.extend({ add: tagList.default([]), remove: tagList.default([]) });
const mediaSchema = z.strictObject({
  kind: z.enum(['image', 'document', 'audio', 'video']),
  url: z.string().min(1).max(2000),
  caption: z.string().trim().min(1).max(1024).optional(),
  filename: z
    .string()
    .trim()
    .min(1)
    .max(240)
    .regex(/^[^/\\\u0000-\u001f]+$/, 'a file name without slashes or control characters')
    .optional(),
});
const replyBody = keyBody
  .extend({
    /** 4096 characters: WhatsApp's text limit, the tightest of the three channels' free text. */
    text: z.string().trim().min(1).max(4096).optional(),
    macroId: routingId.optional(),
    media: mediaSchema.optional(),
    /** Idempotency key of the caller; a repeat with the same id names the same message. */
    requestId: requestIdSchema.optional(),
  })
  .refine((b) => [b.text, b.macroId, b.media].filter((v) => v !== undefined).length === 1, 'give exactly one of text, macroId or media');
const closeBody = keyBody.extend({ outcome: z.enum(CLOSE_OUTCOMES).default('resolved') });
const templatesQuery = z.object({ key: conversationKeySchema });
const templateBody = keyBody.extend({
  templateName: z.string().min(1).max(512),
  language: z.string().min(2).max(15),
  parameters: z.union([z.array(z.string().max(1024)).max(50), templateVariablesSchema]).optional(),
  requestId: requestIdSchema.optional(),
});
const macrosQuery = z.object({ language: z.enum(ROUTING_LANGUAGES).optional() });
const mediaQuery = z.object({
  key: conversationKeySchema,
  messageId: z.string().min(1).max(320),
  index: z.coerce.number().int().min(0).max(9).default(0),
});
const updatesQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
const statsQuery = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'a real calendar date')
    .optional(),
});

const json = jsonResponse;

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HumanAgentRequestError(400, 'invalid_request', describeIssues(parsed.error.issues, '(body)'));
  return parsed.data;
}

function bodyOf(event: APIGatewayProxyEventV2): unknown {
  const body = readJsonBody(event);
  if (!body.ok) throw new HumanAgentRequestError(400, 'invalid_json', 'The body is not JSON');
  return body.value;
}

const is = (method: string, path: string, route: { method: string; path: string }) => method === route.method && path === route.path;

/**
 * A request of the conversation workspace → its response; `undefined` when the route is not one of
 * this module's. Every conversation is resolved to its business through the registry and checked
 * against the caller's before anything is read (another business's is answered as not found);
 * business-wide routes read the caller's own business only.
 */
export async function routeConversationWorkspaceRequest(
  event: APIGatewayProxyEventV2,
  identity: OperatorIdentity,
  audit: AuditContext,
  deps: WorkspaceDeps,
): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath;
  if (!CONVERSATION_WORKSPACE_ROUTES.some((r) => is(method, path, r))) return undefined;
  const query = event.queryStringParameters ?? {};
  const agentId = identity.actor;
  const now = () => (deps.now ?? (() => new Date()))();

  const ownConversation = async (key: string): Promise<AnnotatedConversation> => {
    audit.target = key;
    const owner = await ownerOfConversation(key, deps.accounts);
    audit.targetBusinessId = owner?.businessId;
    requireOwnTarget(identity, owner?.businessId, 'conversation');
    return { businessId: owner!.businessId, conversationKey: key, channel: channelOfKey(key) ?? 'unknown', accountId: owner!.accountId };
  };
  const mustGet = async (key: string): Promise<ConversationRecord> => {
    const conversation = await getConversation(key, deps);
    if (!conversation) throw new HumanAgentRequestError(404, 'conversation_not_found', 'No such conversation');
    return conversation;
  };
  const ownBusiness = () => {
    audit.target = `business ${identity.businessId}`;
    audit.targetBusinessId = identity.businessId;
    return identity.businessId;
  };

  try {
    if (is(method, path, HUMAN_AGENT_ROUTES.read)) {
      requireAction(identity, 'conversations.read');
      const q = parse(readQuery, query);
      await ownConversation(q.key);
      const found = await readConversation(q.key, q.limit, deps);
      if (!found) return json(404, { error: 'conversation_not_found', message: 'No such conversation' });
      const conversation = (await getConversation(q.key, deps))!;
      const notes = await deps.notes.list(q.key, 100);
      return json(200, { ...found, ...humanReplyWindow(conversation, now()), notes });
    }

    if (is(method, path, HUMAN_AGENT_ROUTES.reply)) {
      requireAction(identity, 'conversations.act');
      const b = parse(replyBody, bodyOf(event));
      const target = await ownConversation(b.conversationKey);
      const conversation = await mustGet(b.conversationKey);
      let macro: MacroReply | undefined;
      let text = b.text ?? '';
      if (b.macroId) {
        macro = await macroReply({ businessId: target.businessId, macroId: b.macroId, agentId, conversation }, deps.routingConfig);
        text = macro.text;
      }
      const media = b.media ? outboundMedia(b.media, conversation.channel) : undefined;
      if (media) text = b.media?.caption ?? '';
      let result: Awaited<ReturnType<typeof replyAsHuman>>;
      try {
        result = await replyAsHuman(
          b.conversationKey,
          { text, requestId: b.requestId ?? randomUUID(), agentId, ...(media ? { media } : {}), ...(b.macroId ? { macroId: b.macroId } : {}) },
          deps,
        );
      } catch (err) {
        if (err instanceof HumanAgentRequestError && err.code === 'window_closed') {
          // Not a bare refusal: what can be sent instead.
          const proposal = await templatesForConversation(conversation, { ...deps, now: now() });
          return json(409, {
            error: 'window_closed',
            message: err.message,
            windowOpen: false,
            ...(proposal.windowClosesAt ? { windowClosesAt: proposal.windowClosesAt } : {}),
            proposedTemplates: proposal.templates,
          });
        }
        throw err;
      }
      let tags: string[] | undefined;
      if (macro && macro.addTags.length > 0 && !result.repeated) {
        tags = (
          await changeConversationTags(target, { add: macro.addTags, remove: [], by: agentId }, { ...deps, now: now() }).catch((err: unknown) => {
            // The reply is on its way; a full tag set does not undo it.
            if (err instanceof HumanAgentRequestError && err.code === 'too_many_tags') return { tags: undefined };
            throw err;
          })
        ).tags;
      }
      return json(result.repeated ? 200 : 202, {
        ...result,
        ...(macro ? { macroLanguage: macro.language } : {}),
        ...(tags ? { tags } : {}),
      });
    }

    if (is(method, path, HUMAN_AGENT_ROUTES.close)) {
      requireAction(identity, 'conversations.act');
      const b = parse(closeBody, bodyOf(event));
      await ownConversation(b.conversationKey);
      return json(200, await closeConversation(b.conversationKey, agentId, deps, b.outcome));
    }

    if (is(method, path, AGENT_WORKSPACE_ROUTES.note)) {
      requireAction(identity, 'conversations.act');
      const b = parse(noteBody, bodyOf(event));
      const target = await ownConversation(b.conversationKey);
      await mustGet(b.conversationKey);
      return json(201, await addInternalNote(target, { text: b.text, authorId: agentId }, { ...deps, now: now() }));
    }

    if (is(method, path, AGENT_WORKSPACE_ROUTES.tags)) {
      requireAction(identity, 'conversations.act');
      const b = parse(tagsBody, bodyOf(event));
      const target = await ownConversation(b.conversationKey);
      return json(200, await changeConversationTags(target, { add: b.add, remove: b.remove, by: agentId }, { ...deps, now: now() }));
    }

    if (is(method, path, AGENT_WORKSPACE_ROUTES.templates)) {
      requireAction(identity, 'conversations.read');
      const q = parse(templatesQuery, query);
      await ownConversation(q.key);
      return json(200, await templatesForConversation(await mustGet(q.key), { ...deps, now: now() }));
    }

    if (is(method, path, AGENT_WORKSPACE_ROUTES.sendTemplate)) {
      requireAction(identity, 'conversations.act');
      requireAction(identity, 'templates.send');
      const b = parse(templateBody, bodyOf(event));
      await ownConversation(b.conversationKey);
      const conversation = await mustGet(b.conversationKey);
      const sent = await sendConversationTemplate(
        conversation,
        {
          templateName: b.templateName,
          language: b.language,
          ...(b.parameters !== undefined ? { parameters: b.parameters } : {}),
          // Without the caller's id, each call is a new message; with it, a retry sends nothing twice.
          requestId: `human_${sha256Hex(`${agentId}|${b.requestId ?? randomUUID()}`).slice(0, 40)}`,
        },
        { ...deps.templateSend, publisher: deps.publisher, ...(deps.now ? { now: deps.now } : {}) },
      );
      return json(sent.repeated ? 200 : 202, sent);
    }

    if (is(method, path, AGENT_WORKSPACE_ROUTES.macros)) {
      requireAction(identity, 'workspace.use');
      const q = parse(macrosQuery, query);
      const businessId = ownBusiness();
      const macros = await deps.routingConfig.listMacros(businessId);
      const items = macros
        .filter((m) => q.language === undefined || m.texts[q.language] !== undefined)
        .map((m) => ({ macroId: m.macroId, name: m.name, texts: m.texts, addTags: m.addTags ?? [] }));
      return json(200, { items });
    }

    if (is(method, path, AGENT_WORKSPACE_ROUTES.media)) {
      requireAction(identity, 'conversations.read');
      const q = parse(mediaQuery, query);
      await ownConversation(q.key);
      return json(200, await mediaLink({ conversationKey: q.key, messageId: q.messageId, index: q.index }, { ...deps, now: now() }));
    }

    if (is(method, path, AGENT_WORKSPACE_ROUTES.updates)) {
      requireAction(identity, 'workspace.use');
      const q = parse(updatesQuery, query);
      const businessId = ownBusiness();
      const page = await workspaceUpdates(
        { businessId, viewer: { agentId, supervisor: mayDo(identity, 'queues.monitor') }, ...(q.cursor ? { cursor: q.cursor } : {}), limit: q.limit },
        { feed: deps.feed, now: now() },
      );
      return json(200, page);
    }

    if (is(method, path, SUPERVISOR_ROUTES.stats)) {
      requireAction(identity, 'queues.monitor');
      const q = parse(statsQuery, query);
      const businessId = ownBusiness();
      return json(200, await businessStats({ businessId, ...(q.date ? { date: q.date } : {}) }, { ...deps, now: now() }));
    }
    return undefined;
  } catch (err) {
    if (err instanceof HumanAgentRequestError) return json(err.status, { error: err.code, message: err.message });
    throw err;
  }
}

function outboundMedia(media: z.infer<typeof mediaSchema>, channel: string): HumanReplyMedia {
  const link = checkOutboundMediaLink(media.url);
  if (!link.allowed) throw new HumanAgentRequestError(400, 'invalid_request', `media.url: ${link.reason}`);
  if (media.caption && (channel !== 'whatsapp' || media.kind === 'audio')) {
    throw new HumanAgentRequestError(
      400,
      'invalid_request',
      'media.caption: this channel sends no caption with this attachment; send the words as their own message',
    );
  }
  if (media.filename && media.kind !== 'document')
    throw new HumanAgentRequestError(400, 'invalid_request', 'media.filename: only a document takes a file name');
  return { kind: media.kind, link: link.url, ...(media.filename ? { filename: media.filename } : {}) };
}
