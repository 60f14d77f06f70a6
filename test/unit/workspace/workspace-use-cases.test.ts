import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { HumanAgentRequestError } from '#lambdas/human-agent/errors';
import type { Macro } from '#lambdas/routing/routing-model';
import type { RoutingConfigReader } from '#lambdas/routing/routing-ports';
import { addInternalNote, changeConversationTags } from '#lambdas/workspace/annotate-conversation';
import type { ChangeFeed, FeedEntry } from '#lambdas/workspace/change-feed';
import type { ConversationTagStore } from '#lambdas/workspace/conversation-tags-store';
import type { InternalNote, InternalNoteStore } from '#lambdas/workspace/internal-note-store';
import { macroReply } from '#lambdas/workspace/macro-reply';
import { mediaLink } from '#lambdas/workspace/media-link';
import { workspaceUpdates } from '#lambdas/workspace/workspace-updates';

const target = { businessId: 'b1', conversationKey: 'wa:100:5511', channel: 'wa', accountId: '100' };
const now = new Date('2026-11-21T12:00:00.000Z');

function recorder() {
  const events: DomainEvent[] = [];
  return { events, publisher: { publish: async (e: DomainEvent[]) => void events.push(...e) } };
}

describe('internal notes', () => {
  it('stores the note with its author and publishes ids only', async () => {
    const stored: InternalNote[] = [];
    const notes: InternalNoteStore = { add: async (n) => void stored.push(n), list: async () => stored };
    const { events, publisher } = recorder();
    const note = await addInternalNote(target, { text: 'Cliente molesto, ofrecer envío gratis', authorId: 'ana' }, { notes, publisher, now });
    expect(stored).toEqual([note]);
    expect(note).toMatchObject({ authorId: 'ana', conversationKey: target.conversationKey, createdAt: now.toISOString() });
    expect(events).toHaveLength(1);
    expect(events[0]!.detailType).toBe('conversation.annotated');
    expect(events[0]!.detail).toMatchObject({ businessId: 'b1', conversationKey: target.conversationKey, kind: 'note', noteId: note.noteId, by: 'ana' });
    expect(JSON.stringify(events)).not.toContain('molesto');
  });
});

describe('tags', () => {
  const fakeTags = (result: Awaited<ReturnType<ConversationTagStore['change']>>) => {
    const calls: Array<[readonly string[], readonly string[]]> = [];
    return {
      calls,
      store: {
        change: async (_k: string, a: readonly string[], r: readonly string[]) => {
          calls.push([a, r]);
          return result;
        },
      },
    };
  };
  it('adds and removes; a tag in both is removed', async () => {
    const { calls, store } = fakeTags(['vip']);
    const { events, publisher } = recorder();
    expect(await changeConversationTags(target, { add: ['vip', 'x', 'vip'], remove: ['x'], by: 'ana' }, { tags: store, publisher, now })).toEqual({
      tags: ['vip'],
    });
    expect(calls).toEqual([[['vip'], ['x']]]);
    expect(events[0]!.detail).toMatchObject({ kind: 'tags', by: 'ana' });
  });
  it('refuses an empty change, a missing conversation and too many tags', async () => {
    const { publisher, events } = recorder();
    await expect(changeConversationTags(target, { add: [], remove: [], by: 'a' }, { tags: fakeTags([]).store, publisher, now })).rejects.toMatchObject({
      status: 400,
    });
    await expect(
      changeConversationTags(target, { add: ['a'], remove: [], by: 'a' }, { tags: fakeTags('not_found').store, publisher, now }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      changeConversationTags(target, { add: ['a'], remove: [], by: 'a' }, { tags: fakeTags('too_many').store, publisher, now }),
    ).rejects.toMatchObject({ status: 409, code: 'too_many_tags' });
    expect(events).toEqual([]);
  });
});

describe('macroReply', () => {
  const macro: Macro = {
    businessId: 'b1',
    macroId: 'saludo',
    name: 'Saludo',
    texts: { es: 'Hola {first_name}, soy {agent_name}. Reviso tu pedido {order_id}.', en: 'Hi {first_name}' },
    addTags: ['saludado'],
    version: 1,
    updatedAt: now.toISOString(),
  };
  const config: RoutingConfigReader = {
    loadConfig: async (businessId) => ({
      businessId,
      queues: [],
      agents: [{ agentId: 'ana', name: 'Ana López' } as never],
    }),
    contactTags: async () => [],
    listMacros: async () => [macro],
    getMacro: async (b, id) => (b === 'b1' && id === 'saludo' ? macro : undefined),
  };
  it('fills the macro in the conversation language with the agent routing name and captured data', async () => {
    const reply = await macroReply(
      {
        businessId: 'b1',
        macroId: 'saludo',
        agentId: 'ana',
        conversation: { language: 'es', customerName: 'María Pérez', handoffContext: { captured: { order_id: 'A-9' } } },
      },
      config,
    );
    expect(reply).toEqual({ text: 'Hola María, soy Ana López. Reviso tu pedido A-9.', language: 'es', addTags: ['saludado'] });
  });
  it('leaves out what is unknown; uses the actor when the caller is not a routing agent', async () => {
    const reply = await macroReply({ businessId: 'b1', macroId: 'saludo', agentId: 'sup-1', conversation: { language: 'pt' } }, config);
    expect(reply.text).toBe('Hola, soy sup-1. Reviso tu pedido.');
  });
  it("another business's macro is not found", async () => {
    await expect(macroReply({ businessId: 'b2', macroId: 'saludo', agentId: 'ana', conversation: {} }, config)).rejects.toMatchObject({
      status: 404,
      code: 'macro_not_found',
    });
  });
});

describe('mediaLink', () => {
  const messageMedia = {
    storedAttachments: async (key: string, id: string) =>
      key === 'wa:100:5511' && id === 'wamid.1' ? [{ objectKey: 'media/100/a-0', contentType: 'image/jpeg' }] : id === 'wamid.2' ? [] : undefined,
  };
  const signed: Array<[string, number]> = [];
  const mediaSigner = {
    signGet: async (key: string, s: number) => {
      signed.push([key, s]);
      return `https://signed.example/${key}?X-Amz-Expires=${s}`;
    },
  };
  it('signs the stored object for five minutes', async () => {
    expect(await mediaLink({ conversationKey: 'wa:100:5511', messageId: 'wamid.1', index: 0 }, { messageMedia, mediaSigner, now })).toEqual({
      url: 'https://signed.example/media/100/a-0?X-Amz-Expires=300',
      expiresAt: '2026-11-21T12:05:00.000Z',
      contentType: 'image/jpeg',
    });
    expect(signed).toEqual([['media/100/a-0', 300]]);
  });
  it('404 for a message of another conversation, nothing stored, or an index past the attachments', async () => {
    for (const input of [
      { conversationKey: 'wa:100:other', messageId: 'wamid.1', index: 0 },
      { conversationKey: 'wa:100:5511', messageId: 'wamid.2', index: 0 },
      { conversationKey: 'wa:100:5511', messageId: 'wamid.1', index: 1 },
    ]) {
      await expect(mediaLink(input, { messageMedia, mediaSigner, now })).rejects.toBeInstanceOf(HumanAgentRequestError);
    }
  });
});

describe('workspaceUpdates', () => {
  const entries: FeedEntry[] = [
    { changeId: '1', type: 'conversation.offered', conversationKey: 'k1', agentId: 'ana', at: 'x' },
    { changeId: '2', type: 'conversation.offered', conversationKey: 'k2', agentId: 'luis', at: 'x' },
    { changeId: '3', type: 'message.received', conversationKey: 'k1', at: 'x' },
    { changeId: '4', type: 'conversation.transferred', conversationKey: 'k3', forAgentIds: ['luis'], at: 'x' },
  ];
  const asked: Array<[string, string | undefined, string]> = [];
  const feed: ChangeFeed = {
    appendChange: async () => {
      throw new Error('not used');
    },
    changesSince: async (b, cursor, o) => {
      asked.push([b, cursor, o.since]);
      return { items: entries, cursor: '2026-11-21T11:59:00.000Z#4' };
    },
  };
  it("an agent sees its own offers and the business's changes, not others' offers", async () => {
    const page = await workspaceUpdates({ businessId: 'b1', viewer: { agentId: 'ana', supervisor: false }, limit: 100 }, { feed, now });
    expect(page.items.map((i) => i.changeId)).toEqual(['1', '3']);
    expect(page.cursor).toBe('2026-11-21T11:59:00.000Z#4');
    expect(asked.at(-1)).toEqual(['b1', undefined, '2026-11-21T11:55:00.000Z']);
  });
  it('a supervisor sees everything', async () => {
    const page = await workspaceUpdates({ businessId: 'b1', viewer: { agentId: 'sup', supervisor: true }, limit: 100 }, { feed, now });
    expect(page.items).toHaveLength(4);
  });
  it('a cursor not handed out is a 400', async () => {
    await expect(
      workspaceUpdates({ businessId: 'b1', viewer: { agentId: 'a', supervisor: false }, cursor: 'FEED#b2', limit: 10 }, { feed, now }),
    ).rejects.toMatchObject({ status: 400 });
  });
});
