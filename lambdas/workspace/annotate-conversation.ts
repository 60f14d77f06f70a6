import { randomUUID } from 'node:crypto';
import type { DomainEvent, EventPublisher } from '#lambdas/adapters/event-publisher';
import { HumanAgentRequestError } from '#lambdas/human-agent/errors';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import type { ConversationTagStore } from '#lambdas/workspace/conversation-tags-store';
import type { InternalNote, InternalNoteStore } from '#lambdas/workspace/internal-note-store';

export interface AnnotatedConversation {
  businessId: string;
  conversationKey: string;
  channel: string;
  accountId: string;
}

/** Ids only: the note's words and the tags stay on the items. */
function annotatedEvent(target: AnnotatedConversation, kind: 'note' | 'tags', by: string, at: string, noteId?: string): DomainEvent {
  return {
    source: EVENT_SOURCE.humanAgent,
    detailType: DETAIL_TYPE.conversationAnnotated,
    detail: {
      v: 1,
      businessId: target.businessId,
      conversationKey: target.conversationKey,
      channel: target.channel,
      accountId: target.accountId,
      kind,
      ...(noteId ? { noteId } : {}),
      by,
      at,
    },
  };
}

/** A note for colleagues, stored on the conversation and never sent to the customer. */
export async function addInternalNote(
  target: AnnotatedConversation,
  input: { text: string; authorId: string },
  deps: { notes: InternalNoteStore; publisher: EventPublisher; now: Date },
): Promise<InternalNote> {
  const note: InternalNote = {
    noteId: randomUUID(),
    conversationKey: target.conversationKey,
    authorId: input.authorId,
    text: input.text,
    createdAt: deps.now.toISOString(),
  };
  await deps.notes.add(note);
  await deps.publisher.publish([annotatedEvent(target, 'note', input.authorId, note.createdAt, note.noteId)]);
  return note;
}

/** Adds then removes tags of the conversation; tags both added and removed end up removed. */
export async function changeConversationTags(
  target: AnnotatedConversation,
  input: { add: readonly string[]; remove: readonly string[]; by: string },
  deps: { tags: ConversationTagStore; publisher: EventPublisher; now: Date },
): Promise<{ tags: string[] }> {
  const remove = [...new Set(input.remove)];
  const add = [...new Set(input.add)].filter((t) => !remove.includes(t));
  if (add.length === 0 && remove.length === 0) throw new HumanAgentRequestError(400, 'invalid_request', 'Give tags to add or remove');
  const result = await deps.tags.change(target.conversationKey, add, remove);
  if (result === 'not_found') throw new HumanAgentRequestError(404, 'conversation_not_found', 'No such conversation');
  if (result === 'too_many') throw new HumanAgentRequestError(409, 'too_many_tags', 'The conversation has as many tags as it may carry; remove some first');
  await deps.publisher.publish([annotatedEvent(target, 'tags', input.by, deps.now.toISOString())]);
  return { tags: result };
}
