import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import { OperatorRequestError } from '#lambdas/identity/errors';
import { describeIssues, readJsonBody } from '#lambdas/shared/http-json';

/**
 * Reading an operator request's input: a query or body checked against its schema, or refused with
 * a 400 that names each field and what it must be (`wholeValue` names the input itself, e.g.
 * `(body)`, when the issue is about all of it).
 */
export function parseOperatorInput<T>(schema: z.ZodType<T>, value: unknown, wholeValue = ''): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new OperatorRequestError(400, 'invalid_request', describeIssues(parsed.error.issues, wholeValue));
  return parsed.data;
}

/** The request's JSON body (any JSON value); a body that is not JSON is a 400. */
export function operatorJsonBody(event: APIGatewayProxyEventV2): unknown {
  const body = readJsonBody(event);
  if (!body.ok) throw new OperatorRequestError(400, 'invalid_json', 'The body is not JSON');
  return body.value;
}

/** The request's body as a JSON object; anything else is a 400. */
export function operatorJsonObjectBody(event: APIGatewayProxyEventV2): Record<string, unknown> {
  const value = operatorJsonBody(event);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OperatorRequestError(400, 'invalid_request', '(body): a JSON object');
  return value as Record<string, unknown>;
}
