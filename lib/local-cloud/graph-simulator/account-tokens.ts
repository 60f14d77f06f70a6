import { unknownObjectError } from '#lib/local-cloud/graph-simulator/graph-errors';
import type { GraphResult, SimulatorContext } from '#lib/local-cloud/graph-simulator/simulator-context';

/**
 * Tokens tied to accounts, as Meta ties a system user's token to the assets it was granted. When
 * the simulator was told an account's token (option `accountTokens`), a request on that account
 * with any other token gets what Meta answers for an object the token cannot see: error 100,
 * subcode 33 ("Object with ID … does not exist, cannot be loaded due to missing permissions…").
 * Accounts without a configured token accept any token, as before.
 */
export function refusedForAccountToken(ctx: SimulatorContext, method: 'GET' | 'POST', accountId: string, token: string): GraphResult | undefined {
  const expected = ctx.config.accountTokens?.[accountId];
  if (expected === undefined || expected === token) return undefined;
  const error = unknownObjectError(method, accountId);
  return { status: error.status, response: error.body };
}
