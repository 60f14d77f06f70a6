import { parseStage, stackNameFor } from '#lib/stage';

/** The stage `npm start` runs the local cloud as (see lib/local-cloud/synthesize-local-assembly.ts). */
export const LOCAL_STAGE_NAME = 'local';
export const DEFAULT_LOCAL_ENDPOINT = 'http://localhost:4566';

/** Which deployment an operations command works on, and how its SDK clients reach it. */
export interface OperationsTarget {
  /** `Omnichannel-<stage>`: the stack name, which prefixes every queue, bus and secret name. */
  readonly stackName: string;
  /** Prefix of the stack's queue names (ListQueues), with the trailing dash so `dev` never matches `dev2`. */
  readonly queueNamePrefix: string;
  readonly eventBusName: string;
  /** SDK client settings: the emulator's endpoint and dummy keys locally, the default chain in AWS. */
  readonly clientConfig: {
    readonly region?: string;
    readonly endpoint?: string;
    readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  readonly local: boolean;
}

export interface TargetOptions {
  readonly stage?: string | undefined;
  /** A stack name other than `Omnichannel-<stage>`. */
  readonly stack?: string | undefined;
  readonly local?: boolean | undefined;
  /** Overrides the emulator endpoint (`--local`) or the AWS endpoint. */
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
}

/**
 * Resolves the target from command-line options and the environment. Locally the default stage is
 * `local` and the endpoint the AWS emulator's (`AWS_EMULATOR_PORT`, default 4566); in AWS the region
 * and credentials come from the usual AWS environment (profile, SSO, role).
 */
export function resolveTarget(options: TargetOptions, env: NodeJS.ProcessEnv = process.env): OperationsTarget {
  const local = options.local === true;
  const stage = parseStage(options.stage ?? (local ? LOCAL_STAGE_NAME : undefined));
  const stackName = options.stack ?? stackNameFor(stage);
  const localEndpoint = env['AWS_EMULATOR_PORT'] ? `http://localhost:${env['AWS_EMULATOR_PORT']}` : DEFAULT_LOCAL_ENDPOINT;
  const clientConfig = local
    ? {
        endpoint: options.endpoint ?? localEndpoint,
        region: options.region ?? 'us-east-1',
        // The emulator wants a signed request but checks no signature.
        credentials: { accessKeyId: 'AKIDLOCALOPERATOR', secretAccessKey: 'local-operator-secret' },
      }
    : {
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.region ? { region: options.region } : {}),
      };
  return { stackName, queueNamePrefix: `${stackName}-`, eventBusName: `${stackName}-events`, clientConfig, local };
}
