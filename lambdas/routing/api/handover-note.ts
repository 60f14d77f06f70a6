import { channelOfKey } from '#lambdas/conversation/conversation-key';
import { addInternalNote } from '#lambdas/workspace/annotate-conversation';
import type { RoutingApiDeps } from '#lambdas/routing/api/routing-api-support';

/**
 * Keeps the note given with a transfer or reassignment as an internal note on the conversation,
 * so the person who receives it reads why. Called once the move succeeded. `undefined`: no note
 * was given; otherwise whether it was kept (a failed write does not undo the move).
 */
export async function keepHandoverNote(
  input: { businessId: string; conversationKey: string; note: string | undefined; authorId: string },
  deps: Pick<RoutingApiDeps, 'handoverNotes' | 'now'>,
): Promise<boolean | undefined> {
  if (input.note === undefined) return undefined;
  if (!deps.handoverNotes) return false;
  const accountId = input.conversationKey.split(':')[1] ?? '';
  const target = { businessId: input.businessId, conversationKey: input.conversationKey, channel: channelOfKey(input.conversationKey) ?? 'unknown', accountId };
  try {
    await addInternalNote(target, { text: input.note, authorId: input.authorId }, { ...deps.handoverNotes, now: (deps.now ?? (() => new Date()))() });
    return true;
  } catch {
    return false;
  }
}
