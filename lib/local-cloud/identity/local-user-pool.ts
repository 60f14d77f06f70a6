import { createHash } from 'node:crypto';

/**
 * The local stand-ins for the template's Cognito user pool and app clients: ids shaped like
 * Cognito's (`<region>_<9 characters>` for a pool, 26 lowercase characters for a client), derived
 * from the logical ids so they stay the same from one start to the next.
 */
export interface LocalUserPool {
  logicalId: string;
  id: string;
  region: string;
  accountId: string;
  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`, as tokens carry it in `iss`. */
  issuer: string;
  arn: string;
  /** App client ids by the client's logical id. */
  clients: Map<string, string>;
}

export function localUserPoolId(region: string, logicalId: string): string {
  return `${region}_local${digest(logicalId, 4)}`;
}

export function localUserPoolClientId(logicalId: string): string {
  return `local${digest(logicalId, 21)}`;
}

export function cognitoIssuer(region: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

export function localUserPool(input: { logicalId: string; region: string; accountId: string; clientLogicalIds: readonly string[] }): LocalUserPool {
  const id = localUserPoolId(input.region, input.logicalId);
  return {
    logicalId: input.logicalId,
    id,
    region: input.region,
    accountId: input.accountId,
    issuer: cognitoIssuer(input.region, id),
    arn: `arn:aws:cognito-idp:${input.region}:${input.accountId}:userpool/${id}`,
    clients: new Map(input.clientLogicalIds.map((c) => [c, localUserPoolClientId(c)])),
  };
}

/** What `Ref` and `Fn::GetAtt` of the pool resolve to, as CloudFormation documents them. */
export function userPoolResourceValues(pool: LocalUserPool): { ref: string; attributes: Record<string, string> } {
  const host = `cognito-idp.${pool.region}.amazonaws.com/${pool.id}`;
  return {
    ref: pool.id,
    attributes: { Arn: pool.arn, ProviderName: host, ProviderURL: `https://${host}`, UserPoolId: pool.id },
  };
}

/** Lowercase letters and digits, `length` of them, from the logical id. */
function digest(text: string, length: number): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return BigInt(`0x${hex}`).toString(36).padStart(length, '0').slice(0, length);
}
