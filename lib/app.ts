import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createStack, type OmnichannelStack, type OmnichannelStackProps } from '#lib/omnichannel-stack';
import { parseStage } from '#lib/stage';

export interface BuildAppOptions {
  /** Overrides the `stage` context value; validated either way. */
  readonly stage?: string;
  /**
   * Bundle the Lambda code with esbuild (default true). Turn it off when only the template matters
   * (infrastructure tests, the local cloud reading queue and table settings): synthesis then takes
   * a fraction of a second and the assets are placeholders.
   */
  readonly bundle?: boolean;
  /** Run the cdk-nag AwsSolutions checks (default true). */
  readonly nag?: boolean;
  /**
   * Run CDK's built-in CloudFormation schema validation (default true, as in `cdk synth`). It is
   * the slow part of synthesis (several seconds); tests that only read the template turn it off.
   */
  readonly cloudFormationValidation?: boolean;
  /** Where to write the cloud assembly; default a temporary directory (or the CLI's choice). */
  readonly outdir?: string;
  readonly stackProps?: Omit<OmnichannelStackProps, 'stage'>;
}

export interface BuiltApp {
  readonly app: App;
  readonly stack: OmnichannelStack;
}

/** Builds the CDK app with the one pipeline stack, exactly as `cdk synth` does. */
export function buildApp(options: BuildAppOptions = {}): BuiltApp {
  const context: Record<string, unknown> = {};
  // An empty list tells CDK that no stack needs bundling.
  if (options.bundle === false) context['aws:cdk:bundling-stacks'] = [];
  // The local stage is never deployed: only the local cloud reads its template, so CloudFormation's
  // limit of 500 resources per stack (which every deployable stage must keep) does not apply to it.
  if (options.stage === 'local') context['@aws-cdk/core:stackResourceLimit'] = 0;
  const app = new App({
    context,
    ...(options.outdir ? { outdir: options.outdir } : {}),
    ...(options.cloudFormationValidation === false ? { builtinCloudFormationValidation: false } : {}),
  });
  const stage = parseStage(options.stage ?? app.node.tryGetContext('stage'));
  const stack = createStack(app, stage, options.stackProps);
  // cdk-nag 3 runs as a policy validation plugin: findings land in the assembly's validation
  // report, and an unacknowledged error fails synthesis.
  if (options.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
