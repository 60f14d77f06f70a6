import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '#lib/local-cloud/aws/aws-error';
import { type Clock, systemClock } from '#lib/local-cloud/aws/clock';
import type { ConnectionStore } from '#lib/local-cloud/aws/eventbridge/connections';
import { validationError } from '#lib/local-cloud/aws/eventbridge/connections';
import { checkEndpointUrl } from '#lib/local-cloud/aws/eventbridge/endpoint-url';

export const API_DESTINATION_METHODS = ['POST', 'GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'DELETE'] as const;
export type ApiDestinationMethod = (typeof API_DESTINATION_METHODS)[number];

/** EventBridge's default and maximum invocation rate per destination (a raisable quota). */
export const DEFAULT_INVOCATION_RATE_PER_SECOND = 300;

export interface ApiDestinationInput {
  name: string;
  description?: string;
  connectionArn: string;
  /** HTTPS URL; each `*` in its path is filled, in order, from the target's PathParameterValues. */
  invocationEndpoint: string;
  httpMethod: ApiDestinationMethod;
  invocationRateLimitPerSecond?: number;
}

export interface ApiDestination {
  arn: string;
  name: string;
  description: string | undefined;
  /** ACTIVE while its connection can authorize, INACTIVE otherwise. */
  state: 'ACTIVE' | 'INACTIVE';
  connectionArn: string;
  invocationEndpoint: string;
  httpMethod: ApiDestinationMethod;
  invocationRateLimitPerSecond: number;
  creationTime: number;
  lastModifiedTime: number;
}

type Stored = Omit<ApiDestination, 'state'>;

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

function notFound(name: string): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', `Failed to describe the api-destination(s). An api-destination '${name}' does not exist.`);
}

/**
 * EventBridge API destinations in memory: CreateApiDestination, UpdateApiDestination,
 * DescribeApiDestination, DeleteApiDestination, ListApiDestinations, with ARNs in the service's
 * form (`…:api-destination/<name>/<uuid>`).
 */
export class ApiDestinationStore {
  private readonly destinations = new Map<string, Stored>();
  private readonly clock: Clock;
  private readonly region: string;
  private readonly accountId: string;
  private readonly connections: ConnectionStore;

  constructor(options: { connections: ConnectionStore; clock?: Clock; region?: string; accountId?: string }) {
    this.connections = options.connections;
    this.clock = options.clock ?? systemClock;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
  }

  create(input: ApiDestinationInput): ApiDestination {
    if (!NAME.test(input.name)) throw validationError(`API destination name ${input.name} is not valid.`);
    if (this.destinations.has(input.name)) throw new AwsServiceError('ResourceAlreadyExistsException', `An api-destination '${input.name}' already exists.`);
    this.validate(input);
    const now = this.clock.now();
    const stored: Stored = {
      arn: `arn:aws:events:${this.region}:${this.accountId}:api-destination/${input.name}/${randomUUID()}`,
      name: input.name,
      description: input.description,
      connectionArn: input.connectionArn,
      invocationEndpoint: input.invocationEndpoint,
      httpMethod: input.httpMethod,
      invocationRateLimitPerSecond: input.invocationRateLimitPerSecond ?? DEFAULT_INVOCATION_RATE_PER_SECOND,
      creationTime: now,
      lastModifiedTime: now,
    };
    this.destinations.set(stored.name, stored);
    return this.view(stored);
  }

  /** UpdateApiDestination: the fields given replace the stored ones; the ARN stays. */
  update(name: string, input: Partial<Omit<ApiDestinationInput, 'name'>>): ApiDestination {
    const stored = this.get(name);
    const next: ApiDestinationInput = {
      name,
      connectionArn: input.connectionArn ?? stored.connectionArn,
      invocationEndpoint: input.invocationEndpoint ?? stored.invocationEndpoint,
      httpMethod: input.httpMethod ?? stored.httpMethod,
      invocationRateLimitPerSecond: input.invocationRateLimitPerSecond ?? stored.invocationRateLimitPerSecond,
      ...((input.description ?? stored.description) !== undefined ? { description: (input.description ?? stored.description) as string } : {}),
    };
    this.validate(next);
    Object.assign(stored, {
      description: next.description,
      connectionArn: next.connectionArn,
      invocationEndpoint: next.invocationEndpoint,
      httpMethod: next.httpMethod,
      invocationRateLimitPerSecond: next.invocationRateLimitPerSecond,
      lastModifiedTime: this.clock.now(),
    });
    return this.view(stored);
  }

  describe(name: string): ApiDestination {
    return this.view(this.get(name));
  }

  delete(name: string): void {
    this.get(name);
    this.destinations.delete(name);
  }

  list(filter: { namePrefix?: string; connectionArn?: string } = {}): ApiDestination[] {
    return [...this.destinations.values()]
      .filter((d) => filter.namePrefix === undefined || d.name.startsWith(filter.namePrefix))
      .filter((d) => filter.connectionArn === undefined || d.connectionArn === filter.connectionArn)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((d) => this.view(d));
  }

  /** The destination a target ARN names: the exact ARN, or `…:api-destination/<name>` without the id. */
  byArn(arn: string): ApiDestination | undefined {
    const exact = [...this.destinations.values()].find((d) => d.arn === arn);
    if (exact) return this.view(exact);
    const match = /^arn:aws:events:[^:]+:[^:]+:api-destination\/([^/]+)$/.exec(arn);
    const byName = match ? this.destinations.get(match[1] as string) : undefined;
    return byName ? this.view(byName) : undefined;
  }

  private get(name: string): Stored {
    const stored = this.destinations.get(name);
    if (!stored) throw notFound(name);
    return stored;
  }

  private validate(input: ApiDestinationInput): void {
    if (input.description !== undefined && input.description.length > 512) throw validationError('Description must be at most 512 characters.');
    if (!API_DESTINATION_METHODS.includes(input.httpMethod)) throw validationError(`HttpMethod ${String(input.httpMethod)} is not valid.`);
    checkEndpointUrl(input.invocationEndpoint, 'InvocationEndpoint');
    const rate = input.invocationRateLimitPerSecond;
    if (rate !== undefined && (!Number.isInteger(rate) || rate < 1 || rate > DEFAULT_INVOCATION_RATE_PER_SECOND)) {
      throw validationError(`InvocationRateLimitPerSecond must be between 1 and ${DEFAULT_INVOCATION_RATE_PER_SECOND}.`);
    }
    if (!this.connections.byArn(input.connectionArn)) {
      throw new AwsServiceError('ResourceNotFoundException', `Connection '${input.connectionArn}' does not exist.`);
    }
  }

  private view(d: Stored): ApiDestination {
    const connection = this.connections.byArn(d.connectionArn);
    const active = connection !== undefined && connection.state !== 'DEAUTHORIZED' && connection.state !== 'DEAUTHORIZING';
    return { ...d, state: active ? 'ACTIVE' : 'INACTIVE' };
  }
}
