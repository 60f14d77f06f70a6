import { optionalString, requiredString, type FieldErrors, type JsonInput } from '#lib/local-cloud/aws/http/json-input';
import { secretsErrors, type SecretsEngine } from '#lib/local-cloud/aws/secrets/secrets-engine';

const fieldErrors: FieldErrors = {
  missing: (name) =>
    secretsErrors.invalidParameter(`1 validation error detected: Value null at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`),
  invalid: (name, detail) => secretsErrors.invalidParameter(`Invalid ${name}: ${detail}.`),
};

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function content(input: JsonInput): { secretString?: string; secretBinary?: Buffer } {
  const secretString = optionalString(input, 'SecretString', fieldErrors);
  const binary = optionalString(input, 'SecretBinary', fieldErrors);
  return {
    ...(secretString !== undefined ? { secretString } : {}),
    ...(binary !== undefined ? { secretBinary: Buffer.from(binary, 'base64') } : {}),
  };
}

/** Secrets Manager over AWS JSON 1.1 (`X-Amz-Target: secretsmanager.<Operation>`). */
export function secretsOperations(engine: SecretsEngine): Record<string, (input: JsonInput) => unknown> {
  return {
    GetSecretValue(input) {
      const versionId = optionalString(input, 'VersionId', fieldErrors);
      const versionStage = optionalString(input, 'VersionStage', fieldErrors);
      const v = engine.getSecretValue(requiredString(input, 'SecretId', fieldErrors), {
        ...(versionId !== undefined ? { versionId } : {}),
        ...(versionStage !== undefined ? { versionStage } : {}),
      });
      return {
        ARN: v.arn,
        Name: v.name,
        VersionId: v.versionId,
        ...(v.secretString !== undefined ? { SecretString: v.secretString } : {}),
        ...(v.secretBinary !== undefined ? { SecretBinary: v.secretBinary.toString('base64') } : {}),
        VersionStages: v.versionStages,
        // JSON 1.1 timestamps are epoch seconds.
        CreatedDate: v.createdDate / 1000,
      };
    },
    CreateSecret(input) {
      const description = optionalString(input, 'Description', fieldErrors);
      const token = optionalString(input, 'ClientRequestToken', fieldErrors);
      const out = engine.createSecret(requiredString(input, 'Name', fieldErrors), content(input), {
        ...(description !== undefined ? { description } : {}),
        ...(token !== undefined ? { clientRequestToken: token } : {}),
      });
      return { ARN: out.arn, Name: out.name, ...(out.versionId ? { VersionId: out.versionId } : {}) };
    },
    DeleteSecret(input) {
      const window = input.RecoveryWindowInDays;
      const out = engine.scheduleSecretDeletion(requiredString(input, 'SecretId', fieldErrors), {
        force: input.ForceDeleteWithoutRecovery === true,
        ...(typeof window === 'number' ? { recoveryWindowInDays: window } : {}),
      });
      return { ARN: out.arn, Name: out.name, DeletionDate: out.deletionDate / 1000 };
    },
    PutSecretValue(input) {
      const token = optionalString(input, 'ClientRequestToken', fieldErrors);
      const out = engine.putSecretValue(requiredString(input, 'SecretId', fieldErrors), content(input), token);
      return { ARN: out.arn, Name: out.name, VersionId: out.versionId, VersionStages: ['AWSCURRENT'] };
    },
  };
}
