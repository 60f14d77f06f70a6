import { NestedStack, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type BuildAppOptions, type BuiltApp } from '#lib/app';

export interface SynthesizedStack extends BuiltApp {
  /**
   * The stack with its nested stacks folded in (see `flattenedTemplate`): what the stack deploys,
   * as one template, whichever stack a resource ended up in.
   */
  readonly template: Template;
  /** The same, as plain JSON, for walking resources directly. */
  readonly json: CfnTemplate;
  /** The main stack's own template, as CloudFormation receives it (its 500-resource limit applies to this). */
  readonly mainJson: CfnTemplate;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Description?: string }>;
}

/**
 * Synthesizes the stack for template assertions: no bundling and no built-in CloudFormation schema
 * validation by default, because most tests only read the template and both take seconds.
 *
 * Synthesis is deterministic for given options, so each set of options is synthesized once per
 * test worker and the result shared by every file that asks for it (the infrastructure project
 * runs its files in the same workers without isolation). Treat the result as read-only.
 */
export function synthesizeStack(options: BuildAppOptions = {}): SynthesizedStack {
  const key = JSON.stringify(options);
  const known = synthesized.get(key);
  if (known) return known;
  // Whether `console/dist` happens to be built must not change the template under test: the console's
  // deployment is synthesized only where a test asks for it (test/infra/agent-console.test.ts).
  const built = buildApp({ bundle: false, cloudFormationValidation: false, ...options, stackProps: { consoleAssetsDir: null, ...options.stackProps } });
  const mainJson = Template.fromStack(built.stack).toJSON() as CfnTemplate;
  const json = flattenedTemplate(built.stack);
  const result: SynthesizedStack = { ...built, template: Template.fromJSON(json as unknown as Record<string, unknown>), json, mainJson };
  synthesized.set(key, result);
  return result;
}

const synthesized = new Map<string, SynthesizedStack>();

/**
 * One template for a stack and its nested stacks, as if nothing were nested: each nested stack's
 * resources join the parent's, its parameters replaced by what the parent passes in, and the
 * parent's references to its outputs replaced by the outputs' values. Tests then assert what is
 * deployed without caring where the stack put it.
 */
export function flattenedTemplate(stack: Stack): CfnTemplate {
  const own = Template.fromStack(stack).toJSON() as { Resources: Record<string, CfnResource>; Outputs?: CfnTemplate['Outputs'] };
  let resources: Record<string, CfnResource> = { ...own.Resources };
  const children = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack && c.nestedStackParent === stack);
  for (const child of children) {
    const stackResource = child.nestedStackResource;
    if (!stackResource) continue;
    const resourceId = stack.resolve((stackResource as unknown as { logicalId: string }).logicalId) as string;
    const parameters = (resources[resourceId]?.Properties?.['Parameters'] ?? {}) as Record<string, unknown>;
    const inner = flattenedTemplate(child);
    const substituted = substitute(inner, (node) => {
      const ref = (node as { Ref?: unknown }).Ref;
      return typeof ref === 'string' && ref in parameters && Object.keys(node).length === 1 ? parameters[ref] : undefined;
    }) as CfnTemplate;
    resources = { ...resources, ...substituted.Resources };
    const outputs = substituted.Outputs ?? {};
    resources = substitute(resources, (node) => {
      const att = (node as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
      if (!Array.isArray(att) || att[0] !== resourceId || typeof att[1] !== 'string' || !att[1].startsWith('Outputs.') || Object.keys(node).length !== 1)
        return undefined;
      return outputs[att[1].slice('Outputs.'.length)]?.Value;
    }) as Record<string, CfnResource>;
  }
  return { ...own, Resources: resources };
}

function substitute(value: unknown, replace: (node: object) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => substitute(v, replace));
  if (value && typeof value === 'object') {
    const replaced = replace(value);
    if (replaced !== undefined) return replaced;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, replace)]));
  }
  return value;
}

export interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
  readonly Principal?: unknown;
}

/** Every statement of every identity policy attached to the role with this logical id. */
export function statementsOfRole(json: CfnTemplate, roleLogicalId: string): PolicyStatement[] {
  return Object.values(json.Resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .filter((policy) => {
      const roles = (policy.Properties?.['Roles'] ?? []) as unknown[];
      return roles.some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }));
    })
    .flatMap((policy) => {
      const document = policy.Properties?.['PolicyDocument'] as { Statement: PolicyStatement[] };
      return document.Statement;
    });
}

export function actionsOf(statements: readonly PolicyStatement[]): string[] {
  return statements.flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
}

/** Statements granting `action` (exact match), with the resources they apply to. */
export function statementsGranting(statements: readonly PolicyStatement[], action: string): PolicyStatement[] {
  return statements.filter((statement) => actionsOf([statement]).includes(action));
}

export function resourceOfType(json: CfnTemplate, logicalId: string, type: string): CfnResource {
  const resource = json.Resources[logicalId];
  if (!resource) throw new Error(`No resource ${logicalId} in the template`);
  if (resource.Type !== type) throw new Error(`${logicalId} is a ${resource.Type}, expected ${type}`);
  return resource;
}

export function environmentOf(json: CfnTemplate, functionLogicalId: string): Record<string, unknown> {
  const fn = resourceOfType(json, functionLogicalId, 'AWS::Lambda::Function');
  return (fn.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
}

export const FUNCTION_IDS = [
  'WebhookFunction',
  'NormalizerFunction',
  'AgentFunction',
  'OutboundSendFunction',
  'StatusTrackingFunction',
  'HumanAgentApiFunction',
  'MediaDownloadFunction',
  'AccountHealthFunction',
  'TemplatesApiFunction',
  'TemplateEventsFunction',
  'OnboardingApiFunction',
  'ReplyWatchFunction',
  'RoutingFunction',
  'AgentPushFunction',
  'AgentPushAuthorizerFunction',
  'AgentPushConnectionFunction',
  'AdminApiFunction',
  'OperatorTokenClaimsFunction',
  'ContactsFunction',
  'BotConversationEndFunction',
  'IntegrationDispatchFunction',
  'IntegrationDeadLettersFunction',
  'IntegrationsApiFunction',
  'SpendApiFunction',
  'SpendOutcomesFunction',
  'InstagramTokenRefreshFunction',
  'CampaignsApiFunction',
  'CampaignTicksFunction',
  'CampaignSendFunction',
] as const;
