import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorToken, OperatorTokenError } from '#lib/operations/operator-token';
import { type OperatorApiFixture, startOperatorApi } from '#test/unit/local-cloud/identity/operator-api-fixture';

let f: OperatorApiFixture;
beforeAll(async () => {
  f = await startOperatorApi();
});
afterAll(async () => {
  await f?.close();
});

describe('operatorToken (the CLIs and the seed)', () => {
  it('asks the local identity provider for a token of the business, subject and roles', async () => {
    const token = await operatorToken({ apiUrl: `${f.api.url}/`, businessId: 'local', subject: 'templates-cli', roles: ['admin'], env: {} });
    expect(decodeJwt(token)).toMatchObject({ business_id: 'local', sub: 'templates-cli', roles: 'admin' });
    expect((await f.call('GET', '/agent/conversations', { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('uses OPERATOR_TOKEN as given (a Cognito access token in AWS), without asking anyone', async () => {
    const token = await operatorToken({
      apiUrl: 'http://127.0.0.1:1',
      businessId: 'b',
      subject: 's',
      roles: ['agent'],
      env: { OPERATOR_TOKEN: ' Bearer abc.def.ghi ' },
    });
    expect(token).toBe('abc.def.ghi');
  });

  it('explains a refusal, an API that is not the local cloud, and one that does not answer', async () => {
    await expect(operatorToken({ apiUrl: f.api.url, businessId: 'a/b', subject: 's', roles: ['agent'], env: {} })).rejects.toThrow(
      /HTTP 400\): businessId is required/,
    );
    const notLocal = await startOperatorApi({ Resources: {} });
    try {
      await expect(operatorToken({ apiUrl: notLocal.api.url, businessId: 'b', subject: 's', roles: ['agent'], env: {} })).rejects.toThrow(/OPERATOR_TOKEN/);
    } finally {
      await notLocal.close();
    }
    await expect(operatorToken({ apiUrl: 'http://127.0.0.1:1', businessId: 'b', subject: 's', roles: ['agent'], env: {} })).rejects.toBeInstanceOf(
      OperatorTokenError,
    );
  });
});
