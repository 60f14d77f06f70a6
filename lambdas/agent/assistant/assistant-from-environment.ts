import { cachedAccountReader, type AccountReader } from '#lambdas/accounts/cached-account-reader';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { readJsonSecret } from '#lambdas/adapters/secrets';
import { ASSISTANT_ENV } from '#lambdas/agent/assistant/assistant-env';
import { businessToolsSource, secretsManagerBusinessSecret, type BusinessToolsSource } from '#lambdas/agent/assistant/business-tools-source';
import { anthropicClient, claudeAssistant, DEFAULT_CLAUDE_SETTINGS, type AgentAssistant } from '#lambdas/agent/assistant/claude-assistant';
import { ENV } from '#lambdas/shared/event-contract';
import { optionalEnv } from '#lambdas/shared/env';
import { logger } from '#lambdas/shared/powertools';

/**
 * Claude when the `AnthropicApiKey` secret holds a key; `undefined` (flows and FAQ only) when the
 * secret is not configured or its key is empty. `accounts` lets the handler share its registry
 * reader (and its cache); one of its own is made otherwise.
 */
export async function assistantFromEnvironment(options: { accounts?: AccountReader } = {}): Promise<AgentAssistant | undefined> {
  const secretId = process.env[ENV.anthropicSecretId];
  if (!secretId) return undefined;
  const { apiKey } = await readJsonSecret<{ apiKey?: string }>(secretId);
  if (!apiKey || apiKey.trim() === '') return undefined;
  const timeoutMs = Number(optionalEnv(ASSISTANT_ENV.timeoutMs, '20000'));
  const baseURL = process.env[ASSISTANT_ENV.baseUrl];
  const businessTools = businessToolsFromEnvironment(options.accounts);
  return claudeAssistant(
    anthropicClient(apiKey.trim(), { timeoutMs, ...(baseURL ? { baseURL } : {}) }),
    { ...DEFAULT_CLAUDE_SETTINGS, model: optionalEnv(ASSISTANT_ENV.model, DEFAULT_CLAUDE_SETTINGS.model) },
    businessTools
      ? {
          businessTools,
          onBusinessApiProblem: (problem) => logger.warn("a business's own API failed the assistant's tool call", problem),
        }
      : {},
  );
}

/** Each business's tools from its own secret; none when the stack names no secret prefix. */
function businessToolsFromEnvironment(accounts: AccountReader | undefined): BusinessToolsSource | undefined {
  const secretNamePrefix = process.env[ASSISTANT_ENV.businessToolsSecretPrefix];
  const tableName = process.env[ENV.tableName];
  if (!secretNamePrefix || !tableName) return undefined;
  return businessToolsSource({
    accounts: accounts ?? cachedAccountReader({ db: documentClient(), tableName }),
    secretNamePrefix,
    readSecret: secretsManagerBusinessSecret(),
    onInvalid: (businessId, problems) => logger.warn('business tools secret is unusable; its tools are off', { businessId, problems }),
  });
}
