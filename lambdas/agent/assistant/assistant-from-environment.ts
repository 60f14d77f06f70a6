import { cachedAccountReader, type AccountReader } from '#lambdas/accounts/cached-account-reader';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { readJsonSecret } from '#lambdas/adapters/secrets';
import { ASSISTANT_ENV } from '#lambdas/agent/assistant/assistant-env';
import { businessToolsSource, secretsManagerBusinessSecret, type BusinessToolsSource } from '#lambdas/agent/assistant/business-tools-source';
import { anthropicClient, claudeAssistant, DEFAULT_CLAUDE_SETTINGS, type AgentAssistant } from '#lambdas/agent/assistant/claude-assistant';
import { ENV } from '#lambdas/shared/event-contract';
import { variable, type Environment } from '#lambdas/shared/handler-environment';
import { logger } from '#lambdas/shared/powertools';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

/** The assistant's variables, part of the agent's schema (lambdas/handlers/environment/agent.ts). */
export const ASSISTANT_VARIABLES = {
  [ENV.tableName]: variable.text(),
  /** Unset: no generative answers. */
  [ENV.anthropicSecretId]: variable.text().optional(),
  [ASSISTANT_ENV.model]: variable.text().default(DEFAULT_CLAUDE_SETTINGS.model),
  [ASSISTANT_ENV.baseUrl]: variable.url().optional(),
  [ASSISTANT_ENV.timeoutMs]: variable.wholeNumber(1).default(20_000),
  /** Unset: no business tools. */
  [ASSISTANT_ENV.businessToolsSecretPrefix]: variable.text().optional(),
} as const;

export type AssistantEnvironment = Environment<typeof ASSISTANT_VARIABLES>;

/**
 * Claude when the `AnthropicApiKey` secret holds a key; `undefined` (flows and FAQ only) when the
 * secret is not configured or its key is empty. `accounts` lets the handler share its registry
 * reader (and its cache); one of its own is made otherwise.
 */
export async function assistantFromEnvironment(env: AssistantEnvironment, options: { accounts?: AccountReader } = {}): Promise<AgentAssistant | undefined> {
  const secretId = env.ANTHROPIC_SECRET_ID;
  if (!secretId) return undefined;
  const { apiKey } = await readJsonSecret<{ apiKey?: string }>(secretId);
  if (!apiKey || apiKey.trim() === '') return undefined;
  const timeoutMs = env.ANTHROPIC_TIMEOUT_MS;
  const baseURL = env.ANTHROPIC_BASE_URL;
  const businessTools = businessToolsFromEnvironment(env, options.accounts);
  return claudeAssistant(
    anthropicClient(apiKey.trim(), { timeoutMs, ...(baseURL ? { baseURL } : {}) }),
    { ...DEFAULT_CLAUDE_SETTINGS, model: env.ANTHROPIC_MODEL },
    businessTools
      ? {
          businessTools,
          onBusinessApiProblem: (problem) => logger.warn("a business's own API failed the assistant's tool call", problem),
        }
      : {},
  );
}

/** Each business's tools from its own secret; none when the stack names no secret prefix. */
function businessToolsFromEnvironment(env: AssistantEnvironment, accounts: AccountReader | undefined): BusinessToolsSource | undefined {
  const secretNamePrefix = env.BUSINESS_TOOLS_SECRET_PREFIX;
  const tableName = env.TABLE_NAME;
  if (!secretNamePrefix) return undefined;
  return businessToolsSource({
    accounts: accounts ?? cachedAccountReader({ registry: dynamoAccountRegistry(documentClient(), tableName) }),
    secretNamePrefix,
    readSecret: secretsManagerBusinessSecret(),
    onInvalid: (businessId, problems) => logger.warn('business tools secret is unusable; its tools are off', { businessId, problems }),
  });
}
