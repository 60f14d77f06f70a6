import { readJsonSecret } from '#lambdas/adapters/secrets';
import { ASSISTANT_ENV } from '#lambdas/agent/assistant/assistant-env';
import { anthropicClient, claudeAssistant, DEFAULT_CLAUDE_SETTINGS, type AgentAssistant } from '#lambdas/agent/assistant/claude-assistant';
import { ENV } from '#lambdas/shared/event-contract';
import { optionalEnv } from '#lambdas/shared/env';

/**
 * Claude when the `AnthropicApiKey` secret holds a key; `undefined` (flows and FAQ only) when the
 * secret is not configured or its key is empty.
 */
export async function assistantFromEnvironment(): Promise<AgentAssistant | undefined> {
  const secretId = process.env[ENV.anthropicSecretId];
  if (!secretId) return undefined;
  const { apiKey } = await readJsonSecret<{ apiKey?: string }>(secretId);
  if (!apiKey || apiKey.trim() === '') return undefined;
  const timeoutMs = Number(optionalEnv(ASSISTANT_ENV.timeoutMs, '20000'));
  const baseURL = process.env[ASSISTANT_ENV.baseUrl];
  const orderApiUrl = process.env[ASSISTANT_ENV.orderApiUrl];
  return claudeAssistant(anthropicClient(apiKey.trim(), { timeoutMs, ...(baseURL ? { baseURL } : {}) }), {
    ...DEFAULT_CLAUDE_SETTINGS,
    model: optionalEnv(ASSISTANT_ENV.model, DEFAULT_CLAUDE_SETTINGS.model),
    ...(orderApiUrl ? { orderApiUrl } : {}),
  });
}
