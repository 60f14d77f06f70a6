/**
 * A receipt names a message the table does not hold yet: the send that produced it may still be
 * writing its provider id (a receipt can beat the sender's own write). Retryable.
 */
export class MessageNotYetKnownError extends Error {
  override name = 'MessageNotYetKnownError';
  constructor(
    readonly providerMessageIds: string[],
    readonly receiveCount: number,
  ) {
    super(`${providerMessageIds.length} message(s) not known yet (receive ${receiveCount})`);
  }
}
