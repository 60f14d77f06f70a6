/**
 * Other wake-ups kept changing the conversation while this one tried to claim its reply.
 * Retryable: the next delivery reads the settled conversation.
 */
export class ConversationBusyError extends Error {
  override name = 'ConversationBusyError';
  constructor(readonly rounds: number) {
    super(`conversation changed under the agent ${rounds} times in a row`);
  }
}
