import { randomBytes, randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '#lib/local-cloud/aws/clock';
import { AwsServiceError } from '#lib/local-cloud/aws/aws-error';

export interface SecretVersion {
  versionId: string;
  secretString: string | undefined;
  secretBinary: Buffer | undefined;
  createdDate: number;
  stages: string[];
}

export interface SecretValue {
  arn: string;
  name: string;
  versionId: string;
  secretString: string | undefined;
  secretBinary: Buffer | undefined;
  versionStages: string[];
  createdDate: number;
}

interface StoredSecret {
  name: string;
  arn: string;
  description: string | undefined;
  versions: SecretVersion[];
  /** Set by DeleteSecret with a recovery window: the secret is unreadable until then, and then gone. */
  deletionDate?: number;
}

export const secretsErrors = {
  notFound: () => new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.", { statusCode: 400 }),
  versionNotFound: () =>
    new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT", {
      statusCode: 400,
    }),
  exists: (name: string) =>
    new AwsServiceError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`, { statusCode: 400 }),
  invalidParameter: (message: string) => new AwsServiceError('InvalidParameterException', message, { statusCode: 400 }),
  invalidRequest: (message: string) => new AwsServiceError('InvalidRequestException', message, { statusCode: 400 }),
};

const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** The secrets EventBridge creates for its connections carry a `!` no customer name may have. */
const EVENTBRIDGE_CONNECTION_SECRET = /^events!connection\/[.\-_A-Za-z0-9]{1,64}\/[0-9a-f-]{36}$/;

/**
 * Secrets kept in memory with versions and staging labels (AWSCURRENT, AWSPREVIOUS), addressed by
 * name, full ARN or partial ARN (without the random suffix), as GetSecretValue accepts them.
 */
export class SecretsEngine {
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly clock: Clock;
  private readonly region: string;
  private readonly accountId: string;

  constructor(options: { clock?: Clock; region?: string; accountId?: string } = {}) {
    this.clock = options.clock ?? systemClock;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
  }

  /** Creates the secret, or stores a new current version of it. Objects are saved as JSON. */
  putSecret(name: string, value: string | Buffer | Record<string, unknown>): { arn: string; name: string; versionId: string } {
    const existing = this.secrets.get(name);
    const content = normalizeValue(value);
    if (!existing) return this.createSecret(name, content);
    return this.putSecretValue(name, content);
  }

  createSecret(
    name: string,
    content: { secretString?: string; secretBinary?: Buffer },
    options: { description?: string; clientRequestToken?: string } = {},
  ): { arn: string; name: string; versionId: string } {
    if (!SECRET_NAME.test(name) && !EVENTBRIDGE_CONNECTION_SECRET.test(name))
      throw secretsErrors.invalidParameter('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
    const known = this.secrets.get(name);
    if (known?.deletionDate !== undefined)
      throw secretsErrors.invalidRequest("You can't create this secret because a secret with this name is already scheduled for deletion.");
    if (known) throw secretsErrors.exists(name);
    const suffix = randomBytes(4)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, 'x')
      .slice(0, 6);
    const secret: StoredSecret = {
      name,
      arn: `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${suffix}`,
      description: options.description,
      versions: [],
    };
    this.secrets.set(name, secret);
    if (content.secretString === undefined && content.secretBinary === undefined) {
      return { arn: secret.arn, name, versionId: '' };
    }
    const versionId = this.addVersion(secret, content, options.clientRequestToken);
    return { arn: secret.arn, name, versionId };
  }

  putSecretValue(
    secretId: string,
    content: { secretString?: string; secretBinary?: Buffer },
    clientRequestToken?: string,
  ): { arn: string; name: string; versionId: string } {
    const secret = this.find(secretId);
    const versionId = this.addVersion(secret, content, clientRequestToken);
    return { arn: secret.arn, name: secret.name, versionId };
  }

  private addVersion(secret: StoredSecret, content: { secretString?: string; secretBinary?: Buffer }, token?: string): string {
    if ((content.secretString === undefined) === (content.secretBinary === undefined)) {
      throw secretsErrors.invalidParameter('You must provide either SecretString or SecretBinary, but not both.');
    }
    const versionId = token ?? randomUUID();
    const same = secret.versions.find((v) => v.versionId === versionId);
    if (same) {
      // A retried request with the same token is idempotent when the value is the same.
      if (same.secretString === content.secretString && bufferEquals(same.secretBinary, content.secretBinary)) return versionId;
      throw secretsErrors.invalidRequest("You can't modify an existing version, you can only create a new version.");
    }
    for (const v of secret.versions) {
      v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
      if (v.stages.includes('AWSCURRENT')) v.stages = [...v.stages.filter((s) => s !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    }
    secret.versions.push({
      versionId,
      secretString: content.secretString,
      secretBinary: content.secretBinary,
      createdDate: this.clock.now(),
      stages: ['AWSCURRENT'],
    });
    return versionId;
  }

  /**
   * DeleteSecret: with `force` the secret is gone at once; otherwise it is scheduled for deletion
   * after the recovery window (7–30 days, default 30) and refuses reads meanwhile, as Secrets Manager does.
   */
  scheduleSecretDeletion(
    secretId: string,
    options: { force?: boolean; recoveryWindowInDays?: number } = {},
  ): { arn: string; name: string; deletionDate: number } {
    const secret = this.find(secretId);
    const days = options.recoveryWindowInDays ?? 30;
    if (!options.force && (days < 7 || days > 30)) throw secretsErrors.invalidParameter('RecoveryWindowInDays must be between 7 and 30 days.');
    const deletionDate = this.clock.now() + (options.force ? 0 : days * 86_400_000);
    if (options.force) this.secrets.delete(secret.name);
    else secret.deletionDate = deletionDate;
    return { arn: secret.arn, name: secret.name, deletionDate };
  }

  getSecretValue(secretId: string, options: { versionId?: string; versionStage?: string } = {}): SecretValue {
    const secret = this.find(secretId);
    if (secret.deletionDate !== undefined) {
      throw secretsErrors.invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");
    }
    const version = options.versionId
      ? secret.versions.find((v) => v.versionId === options.versionId && (!options.versionStage || v.stages.includes(options.versionStage)))
      : secret.versions.find((v) => v.stages.includes(options.versionStage ?? 'AWSCURRENT'));
    if (!version) throw secretsErrors.versionNotFound();
    return {
      arn: secret.arn,
      name: secret.name,
      versionId: version.versionId,
      secretString: version.secretString,
      secretBinary: version.secretBinary,
      versionStages: [...version.stages],
      createdDate: version.createdDate,
    };
  }

  /** Removes the secret at once (as a deletion without a recovery window); a missing one is ignored. */
  deleteSecret(secretId: string): void {
    try {
      this.secrets.delete(this.find(secretId).name);
    } catch {
      // Already gone.
    }
  }

  arnOf(name: string): string {
    return this.find(name).arn;
  }

  private find(secretId: string): StoredSecret {
    if (secretId.startsWith('arn:')) {
      for (const s of this.secrets.values()) {
        // A partial ARN leaves out the 6-character suffix Secrets Manager adds to the name.
        if (s.arn === secretId || s.arn.slice(0, -7) === secretId) return s;
      }
      throw secretsErrors.notFound();
    }
    const s = this.secrets.get(secretId);
    if (!s) throw secretsErrors.notFound();
    return s;
  }
}

function normalizeValue(value: string | Buffer | Record<string, unknown>): { secretString?: string; secretBinary?: Buffer } {
  if (Buffer.isBuffer(value)) return { secretBinary: value };
  if (typeof value === 'string') return { secretString: value };
  return { secretString: JSON.stringify(value) };
}

function bufferEquals(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.equals(b);
}
