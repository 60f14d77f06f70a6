import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { accountTokenSecretName, upsertChannelAccount } from '#lambdas/accounts/channel-account';
import type { BusinessFlows } from '#lambdas/agent/flows/business-flows-schema';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { BotSettingsConflictError, saveBotSettings } from '#lambdas/bot-settings/bot-settings-store';
import { routingConfigStore } from '#lambdas/routing/config/routing-config-store';
import { seedDemoRouting } from '#lib/local-cloud/demo-routing';
import { LOCAL_FACEBOOK_PAGE_ID, LOCAL_INSTAGRAM_ACCOUNT_ID, LOCAL_WHATSAPP_NUMBER, type WhatsAppNumber } from '#lib/local-cloud/graph-simulator/accounts';

/**
 * A business the local cloud serves: its WhatsApp Business Accounts and numbers, Instagram
 * accounts and Pages, and the one token its system user holds. At start the local cloud registers
 * every account in the registry, stores the token as the business's own secret
 * (`<stack>/account-tokens/<WABA, Instagram or Page id>`) and lets the simulator play the accounts.
 */
export interface LocalTenant {
  businessId: string;
  accessToken: string;
  whatsapp?: Array<{ wabaId: string; numbers: Array<{ phoneNumberId: string; displayPhoneNumber: string }> }>;
  instagramAccountIds?: string[];
  pageIds?: string[];
  /**
   * Bot settings written as the business's version 1 when it has none: `'demo'` for the bundled
   * demo business's ("Demo Store"). Absent: the business has no bot, and its customers go straight
   * to its people, as a newly onboarded business's do until an admin saves its settings.
   */
  botSettings?: 'demo' | BusinessFlows;
  /** `'demo'`: the demo contact centre (lib/local-cloud/demo-routing.ts), items the business lacks. */
  routing?: 'demo';
}

/** Who the seeded settings versions name as their author. */
export const LOCAL_SEED_ACTOR = 'local-cloud-seed';

/** Without tenants of its own, the local cloud serves one business with the simulator's accounts. */
export function defaultLocalTenants(accessToken: string): LocalTenant[] {
  return [
    {
      businessId: 'local',
      accessToken,
      whatsapp: [{ wabaId: LOCAL_WHATSAPP_NUMBER.wabaId, numbers: [LOCAL_WHATSAPP_NUMBER] }],
      instagramAccountIds: [LOCAL_INSTAGRAM_ACCOUNT_ID],
      pageIds: [LOCAL_FACEBOOK_PAGE_ID],
      botSettings: 'demo',
      routing: 'demo',
    },
  ];
}

/** The accounts the Graph simulator plays for these tenants, and which token each accepts. */
export function simulatorAccountsOf(tenants: readonly LocalTenant[]): {
  whatsappNumbers: WhatsAppNumber[];
  instagramAccountIds: string[];
  pageIds: string[];
  accountTokens: Record<string, string>;
} {
  const whatsappNumbers: WhatsAppNumber[] = [];
  const instagramAccountIds: string[] = [];
  const pageIds: string[] = [];
  const accountTokens: Record<string, string> = {};
  for (const tenant of tenants) {
    for (const waba of tenant.whatsapp ?? []) {
      for (const n of waba.numbers) {
        whatsappNumbers.push({ phoneNumberId: n.phoneNumberId, wabaId: waba.wabaId, displayPhoneNumber: n.displayPhoneNumber });
        accountTokens[n.phoneNumberId] = tenant.accessToken;
      }
    }
    for (const id of tenant.instagramAccountIds ?? []) {
      instagramAccountIds.push(id);
      accountTokens[id] = tenant.accessToken;
    }
    for (const id of tenant.pageIds ?? []) {
      pageIds.push(id);
      accountTokens[id] = tenant.accessToken;
    }
  }
  return { whatsappNumbers, instagramAccountIds, pageIds, accountTokens };
}

/**
 * Registers the tenants' accounts (active) and puts each token owner's secret into the local
 * Secrets Manager. An account already in the table (a kept DynamoDB Local data path) is updated.
 */
export async function seedLocalTenants(input: {
  db: DynamoDBDocumentClient;
  tableName: string;
  secretNamePrefix: string;
  putSecret: (name: string, value: Record<string, unknown>) => void;
  tenants: readonly LocalTenant[];
}): Promise<void> {
  for (const tenant of input.tenants) {
    const secretOf = (ownerId: string): string => {
      const name = accountTokenSecretName(input.secretNamePrefix, ownerId);
      input.putSecret(name, { accessToken: tenant.accessToken });
      return name;
    };
    const base = { businessId: tenant.businessId, status: 'active' as const };
    for (const waba of tenant.whatsapp ?? []) {
      const tokenSecretId = secretOf(waba.wabaId);
      for (const n of waba.numbers) {
        await upsertChannelAccount(input.db, input.tableName, {
          ...base,
          accountId: n.phoneNumberId,
          channel: 'whatsapp',
          wabaId: waba.wabaId,
          displayPhoneNumber: n.displayPhoneNumber,
          tokenSecretId,
        });
      }
    }
    for (const id of tenant.instagramAccountIds ?? []) {
      await upsertChannelAccount(input.db, input.tableName, { ...base, accountId: id, channel: 'instagram', tokenSecretId: secretOf(id) });
    }
    for (const id of tenant.pageIds ?? []) {
      await upsertChannelAccount(input.db, input.tableName, { ...base, accountId: id, channel: 'messenger', tokenSecretId: secretOf(id) });
    }
    if (tenant.botSettings) await seedBotSettings(input, tenant.businessId, tenant.botSettings === 'demo' ? demoBotSettings() : tenant.botSettings);
    if (tenant.routing === 'demo') await seedDemoRouting(routingConfigStore(input), tenant.businessId);
  }
}

/** Writes the settings as version 1 unless the business already has settings (a kept data path, or an admin's edits). */
async function seedBotSettings(db: { db: DynamoDBDocumentClient; tableName: string }, businessId: string, settings: BusinessFlows): Promise<void> {
  try {
    await saveBotSettings(db, businessId, settings, { actor: LOCAL_SEED_ACTOR, expectedVersion: 0 });
  } catch (err) {
    if (!(err instanceof BotSettingsConflictError)) throw err;
  }
}
