/** Agent settings read from the environment (the stack or the local cloud sets them). */
export const ASSISTANT_ENV = {
  model: 'ANTHROPIC_MODEL',
  /** Read by the SDK itself as well; set it to the local simulator's URL for local runs. */
  baseUrl: 'ANTHROPIC_BASE_URL',
  timeoutMs: 'ANTHROPIC_TIMEOUT_MS',
  orderApiUrl: 'ORDER_API_URL',
} as const;
