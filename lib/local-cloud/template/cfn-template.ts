/** The parts of a synthesized CloudFormation template the local cloud reads. */
export interface CfnResource {
  Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: each resource type has its own properties; the readers take the paths they know from the synthesized template
  Properties?: Record<string, any>;
  Metadata?: Record<string, unknown>;
  DependsOn?: string | string[];
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
  Parameters?: Record<string, { Default?: unknown }>;
}

export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}
