import { describe, expect, it } from 'vitest';
import { answerVerificationChallenge } from '#lambdas/ingress/verification-challenge';
import { readConformanceJson } from '#test/helpers/conformance';

const sample = readConformanceJson('verification', 'fbsamples-messenger-verify-get-and-signature.json');
const TOKEN = 'test_verify_token_12345';

describe("Meta's GET verification handshake", () => {
  it('echoes the challenge as plain text when the token matches (Meta sample)', () => {
    expect(answerVerificationChallenge(sample.verification_get.query_string, TOKEN)).toEqual({
      statusCode: sample.verification_get.expected_response.status,
      body: sample.verification_get.expected_response.body,
    });
  });

  it('answers 403 to a wrong token without echoing the challenge', () => {
    const res = answerVerificationChallenge(sample.verification_get.wrong_token_case.query_string, TOKEN);
    expect(res.statusCode).toBe(sample.verification_get.wrong_token_case.expected_status);
    expect(res.body).not.toContain('challenge_123');
  });

  it('never echoes the challenge when the token is missing, the mode is wrong, or no token is configured', () => {
    const missing = answerVerificationChallenge(sample.verification_get.missing_token_case.query_string, TOKEN);
    expect(missing.statusCode).toBe(403);
    expect(missing.body).not.toContain('challenge_123');
    const wrongMode = answerVerificationChallenge({ 'hub.mode': 'unsubscribe', 'hub.verify_token': TOKEN, 'hub.challenge': 'c' }, TOKEN);
    expect(wrongMode.statusCode).toBe(400);
    const unconfigured = answerVerificationChallenge({ 'hub.mode': 'subscribe', 'hub.verify_token': '', 'hub.challenge': 'c' }, '');
    expect(unconfigured.statusCode).toBe(403);
  });
});
