/** A refusal the caller can act on; `status` is the HTTP status the API answers with. */
export class HumanAgentRequestError extends Error {
  override name = 'HumanAgentRequestError';
  constructor(
    readonly status: 400 | 401 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
