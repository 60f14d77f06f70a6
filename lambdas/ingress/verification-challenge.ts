import { timingSafeEqual } from 'node:crypto';

export interface PlainResponse {
  statusCode: number;
  body: string;
}

/**
 * Meta's subscription handshake: `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`.
 * Echo the challenge as plain text only when the token matches; otherwise 403 without echoing it.
 */
export function answerVerificationChallenge(query: Record<string, string | undefined>, verifyToken: string): PlainResponse {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || typeof challenge !== 'string' || challenge === '') {
    return { statusCode: 400, body: 'Bad Request' };
  }
  if (typeof token !== 'string' || !verifyToken || !sameText(token, verifyToken)) {
    return { statusCode: 403, body: 'Forbidden' };
  }
  return { statusCode: 200, body: challenge };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
