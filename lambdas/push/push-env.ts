/** Environment of the push consumer, set by the stack (lib/constructs/agent-push.ts). */
export const PUSH_ENV = {
  /**
   * The WebSocket API's management endpoint, `https://{api id}.execute-api.{region}.amazonaws.com/{stage}`
   * in AWS; the local cloud sets its own.
   */
  managementEndpoint: 'AGENT_PUSH_MANAGEMENT_ENDPOINT',
} as const;
