/** Agent settings read from the environment (the stack or the local cloud sets them). */
export const ASSISTANT_ENV = {
  model: 'ANTHROPIC_MODEL',
  /** Read by the SDK itself as well; set it to the local simulator's URL for local runs. */
  baseUrl: 'ANTHROPIC_BASE_URL',
  timeoutMs: 'ANTHROPIC_TIMEOUT_MS',
  /** `<stack name>/business-tools`: each business's tool settings are the secret `<prefix>/<businessId>`. */
  businessToolsSecretPrefix: 'BUSINESS_TOOLS_SECRET_PREFIX',
} as const;
