import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import { channelOfKey } from '#lambdas/conversation/conversation-key';

/**
 * Which business a target of an operator request belongs to, through the channel account registry.
 * `undefined` when the registry does not know it: the caller is then told it does not exist.
 */
export interface TargetOwner {
  businessId: string;
  accountId: string;
}

/** A conversation key names its channel and the business's account: `wa:<phone_number_id>:<wa_id>`. */
export async function ownerOfConversation(conversationKey: string, accounts: AccountReader): Promise<TargetOwner | undefined> {
  const channel = channelOfKey(conversationKey);
  const parts = conversationKey.split(':');
  if (!channel || parts.length < 3 || !parts[1] || !parts.slice(2).join(':')) return undefined;
  const account = await accounts.account(parts[1]);
  // The account must serve the channel the key names: an Instagram key cannot reach a WhatsApp number.
  if (!account || account.channel !== channel) return undefined;
  return { businessId: account.businessId, accountId: account.accountId };
}

export async function ownerOfAccount(accountId: string, accounts: AccountReader): Promise<TargetOwner | undefined> {
  const account = await accounts.account(accountId);
  return account ? { businessId: account.businessId, accountId: account.accountId } : undefined;
}

export async function ownerOfWaba(wabaId: string, accounts: AccountReader): Promise<string | undefined> {
  return (await accounts.waba(wabaId))?.businessId;
}
