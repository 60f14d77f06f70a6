import { OPERATOR_ROLES, type OperatorRole } from '#lambdas/identity/operator-identity';
import { MACHINE_CLIENTS_ENV, type MachineClientGrant } from '#lambdas/identity/token-claims';
import { variable } from '#lambdas/shared/handler-environment';

/** `{ "<app client name>": { "businessId": "…", "roles": ["agent", …] } }`, as lib/constructs/operator-identity.ts writes it. */
function machineClientGrants(value: unknown): Record<string, MachineClientGrant> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected an object of grants by client name');
  for (const [client, grant] of Object.entries(value)) {
    const { businessId, roles } = (grant ?? {}) as Partial<MachineClientGrant>;
    const rolesKnown = Array.isArray(roles) && roles.every((role) => OPERATOR_ROLES.includes(role as OperatorRole));
    if (typeof businessId !== 'string' || businessId === '' || !rolesKnown) throw new Error(`grant of ${client} needs a businessId and known roles`);
  }
  return value as Record<string, MachineClientGrant>;
}

/** The pre token generation trigger's environment (lib/constructs/operator-identity.ts). */
export const environmentSchema = {
  [MACHINE_CLIENTS_ENV]: variable.json(machineClientGrants).default({}),
} as const;
