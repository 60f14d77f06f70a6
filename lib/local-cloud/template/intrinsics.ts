import type { CfnTemplate } from '#lib/local-cloud/template/cfn-template';

/** What a resource's `Ref` and `Fn::GetAtt` resolve to locally. */
export interface LocalResourceValues {
  ref: string;
  attributes: Record<string, string>;
}

export interface IntrinsicContext {
  template: CfnTemplate;
  region: string;
  accountId: string;
  /** Values of the resources the local cloud created, by logical id. */
  resources: Map<string, LocalResourceValues>;
}

export class UnresolvableIntrinsicError extends Error {
  override name = 'UnresolvableIntrinsicError';
}

/**
 * Resolves the intrinsic functions CDK emits (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select,
 * Fn::Split, pseudo parameters) against the local resources, so that Lambda environment
 * variables, queue policies and rule targets point at the local equivalents.
 */
export function resolveIntrinsics(value: unknown, ctx: IntrinsicContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, ctx));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [fn] = keys as [string];
    const arg = obj[fn];
    switch (fn) {
      case 'Ref':
        return resolveRef(String(arg), ctx);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split(/\.(.+)/);
        return resolveGetAtt(String(id), String(attr), ctx);
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        return (resolveIntrinsics(parts, ctx) as unknown[]).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [number | string, unknown];
        return (resolveIntrinsics(list, ctx) as unknown[])[Number(index)];
      }
      case 'Fn::Split': {
        const [sep, source] = arg as [string, unknown];
        return String(resolveIntrinsics(source, ctx)).split(sep);
      }
      case 'Fn::Sub':
        return resolveSub(arg, ctx);
      default:
        if (fn.startsWith('Fn::')) throw new UnresolvableIntrinsicError(`${fn} is not supported locally`);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, resolveIntrinsics(obj[k], ctx)]));
}

function resolveRef(id: string, ctx: IntrinsicContext): string {
  switch (id) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return ctx.accountId;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return 'local';
    case 'AWS::NoValue':
      return '';
  }
  const local = ctx.resources.get(id);
  if (local) return local.ref;
  const param = ctx.template.Parameters?.[id];
  if (param && param.Default !== undefined) return String(param.Default);
  // Resources the local cloud does not model (roles, policies, log groups) get a stable name.
  if (ctx.template.Resources[id]) return `local-${id}`;
  throw new UnresolvableIntrinsicError(`Ref to unknown ${id}`);
}

function resolveGetAtt(id: string, attr: string, ctx: IntrinsicContext): string {
  const local = ctx.resources.get(id);
  const value = local?.attributes[attr];
  if (value !== undefined) return value;
  if (attr === 'Arn' && ctx.template.Resources[id]) {
    return `arn:aws:local:${ctx.region}:${ctx.accountId}:${id}`;
  }
  if (ctx.template.Resources[id]) return `local-${id}-${attr}`;
  throw new UnresolvableIntrinsicError(`Fn::GetAtt ${id}.${attr}`);
}

function resolveSub(arg: unknown, ctx: IntrinsicContext): string {
  const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
  return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (vars[name] !== undefined) return String(resolveIntrinsics(vars[name], ctx));
    if (name.includes('.')) {
      const [id, attr] = name.split(/\.(.+)/) as [string, string];
      return resolveGetAtt(id, attr, ctx);
    }
    return resolveRef(name, ctx);
  });
}
