import type { SimChannel } from '#lib/local-cloud/graph-simulator/accounts';
import { temporaryServiceError, throughputLimitError, type GraphErrorResponse } from '#lib/local-cloud/graph-simulator/graph-errors';

/**
 * Local-only fault injection for a send, asked before the send is accepted: `undefined` lets it
 * through; otherwise the send is refused with Meta's error for that fault and nothing is sent
 * (chaos runs).
 */
export type SendFaults = (send: { channel: SimChannel; accountId: string }) => 'server_error' | 'throughput' | undefined;

/** The fault asked for, as Meta would answer it. */
export function injectedFault(faults: SendFaults | undefined, channel: SimChannel, accountId: string): GraphErrorResponse | undefined {
  const fault = faults?.({ channel, accountId });
  if (fault === 'server_error') return temporaryServiceError();
  if (fault === 'throughput') return throughputLimitError();
  return undefined;
}
