import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmulatorFixture, startFixture } from '#test/unit/local-cloud/aws/emulator-fixture';

/** DeleteSecret as the integrations admin API uses it (a per-integration secret removed with its integration). */
describe('Secrets Manager emulator: DeleteSecret', () => {
  let f: EmulatorFixture;
  beforeEach(async () => {
    f = await startFixture();
  });
  afterEach(async () => f.close());

  it('schedules deletion after the recovery window: reads and re-creation are refused meanwhile', async () => {
    await f.secrets.send(new CreateSecretCommand({ Name: 'stack/integrations/acme/i1', SecretString: '{"a":1}' }));
    const out = await f.secrets.send(new DeleteSecretCommand({ SecretId: 'stack/integrations/acme/i1', RecoveryWindowInDays: 7 }));
    expect(out.Name).toBe('stack/integrations/acme/i1');
    expect(out.DeletionDate!.getTime() - f.clock.now()).toBe(7 * 86_400_000);
    await expect(f.secrets.send(new GetSecretValueCommand({ SecretId: 'stack/integrations/acme/i1' }))).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(f.secrets.send(new CreateSecretCommand({ Name: 'stack/integrations/acme/i1', SecretString: '{}' }))).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
    await expect(f.secrets.send(new DeleteSecretCommand({ SecretId: 'stack/integrations/acme/i1', RecoveryWindowInDays: 3 }))).rejects.toThrow(
      /between 7 and 30/,
    );
  });

  it('removes at once without recovery, and a missing secret is not found', async () => {
    await f.secrets.send(new CreateSecretCommand({ Name: 'gone', SecretString: '{}' }));
    await f.secrets.send(new DeleteSecretCommand({ SecretId: 'gone', ForceDeleteWithoutRecovery: true }));
    await expect(f.secrets.send(new GetSecretValueCommand({ SecretId: 'gone' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(f.secrets.send(new DeleteSecretCommand({ SecretId: 'gone', RecoveryWindowInDays: 7 }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
