/** The human-agent API refuses like every operator API: a status, a stable code and a message. */
export { OperatorRequestError as HumanAgentRequestError } from '#lambdas/identity/errors';
