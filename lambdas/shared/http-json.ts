import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The JSON plumbing the project's HTTP APIs (human agents, onboarding, templates) share; each API
 * keeps its own error type and wording.
 */
export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The request body as JSON (`{}` when there is none), or `ok: false` when it is not JSON. */
export function readJsonBody(event: APIGatewayProxyEventV2): { ok: true; value: unknown } | { ok: false } {
  if (!event.body) return { ok: true, value: {} };
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

/** zod issues as `path: message; …`; an issue about the whole value is named `wholeValue`. */
export function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>, wholeValue = ''): string {
  return issues.map((i) => `${i.path.map(String).join('.') || wholeValue}: ${i.message}`).join('; ');
}
