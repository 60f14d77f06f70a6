/**
 * How every Lambda handler is bundled: one set of esbuild options, read by the CDK construct
 * (SupportFunction) and by the bundle benchmark (test/bench/ingress.bench.ts), so the sizes and
 * init times the benchmark prints are those of the bundles the stack deploys.
 *
 * No CDK imports here: the benchmark loads this module without loading aws-cdk-lib.
 */
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// ESM bundles have no `require`; some CommonJS dependencies still call it for Node built-ins.
export const REQUIRE_SHIM_BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

export const LAMBDA_BUNDLING = {
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  // ESM builds of the dependencies (zod, the AWS SDK, Powertools) tree-shake; their CommonJS builds do not.
  mainFields: ['module', 'main'],
  banner: REQUIRE_SHIM_BANNER,
  // A source map file beside each bundle, without the sources, for the stack traces NODE_OPTIONS asks for.
  sourcemap: true,
  sourcesContent: false,
  tsconfig: `${ROOT}tsconfig.json`,
  /**
   * The SDK ships in the bundle, but its credential chain is replaced by the part Lambda uses
   * (environment variables, or a container endpoint): see lambdas/adapters/lambda-credential-provider.ts.
   */
  alias: {
    '@aws-sdk/credential-provider-node': `${ROOT}lambdas/adapters/lambda-credential-provider.ts`,
  },
} as const;

/**
 * Node options of every function (SupportFunction's NODE_OPTIONS): stack traces through the source
 * map. Node then reads and parses the map when it loads the bundle, which is part of the cold start
 * the benchmark measures.
 */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps';

/** Handlers invoked once per customer message (or status), whose cold start a customer can feel. */
export const PER_MESSAGE_HANDLERS = ['webhook', 'normalizer', 'agent', 'outbound-send', 'status-tracking', 'reply-watch', 'media-download'] as const;

/** Targets of issue 14, checked by `npm run bench:ingress`. */
export const BUNDLE_TARGETS = { webhookBundleKb: 250, perMessageInitMs: 100 } as const;
