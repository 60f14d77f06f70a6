import { FinalError } from '#lambdas/shared/domain-error';

/** A refusal the caller can act on; `status` is the HTTP status the API answers with. */
export class TemplateRequestError extends FinalError {
  override name = 'TemplateRequestError';
  constructor(
    readonly status: 400 | 401 | 404 | 409 | 422,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A refusal naming the component and parameter, in words the caller can act on. */
export class TemplateVariablesError extends FinalError {
  override name = 'TemplateVariablesError';
  constructor(
    readonly component: string,
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
  }
}
