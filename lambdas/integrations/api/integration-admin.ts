import * as z from 'zod';
import { RESERVED_QUERY_PARAMETERS } from '#lambdas/integrations/delivery-parameters';
import { checkEndpointUrl } from '#lambdas/integrations/endpoint-url-policy';
import { newIntegrationId } from '#lambdas/integrations/integration-keys';
import {
  INTEGRATION_KINDS,
  integrationAuthSchema,
  integrationInputSchema,
  type Integration,
  type IntegrationAuth,
  type IntegrationInput,
} from '#lambdas/integrations/integration-model';
import { newSigningSecret, type IntegrationCredentials, type IntegrationSecrets } from '#lambdas/integrations/integration-secrets';
import type { IntegrationDelivery, IntegrationRecord, IntegrationStore, ProvisioningState } from '#lambdas/integrations/integration-store';
import { provisionIntegration, removeIntegrationResources, type ProvisionDeps } from '#lambdas/integrations/provision-integration';
import { integrationResourceNames } from '#lambdas/integrations/resource-names';
import { describeIssues } from '#lambdas/shared/http-json';
import { ProvisioningError, IntegrationAdminError, ProvisioningFailedError } from '#lambdas/integrations/errors';

/**
 * The integrations admin use cases: what is checked before anything is stored, the order of the
 * writes (our secret, the config, the AWS resources, the provisioning state), and what a retry does.
 */
export interface IntegrationAdminDeps {
  store: IntegrationStore;
  secrets: IntegrationSecrets;
  provision: ProvisionDeps;
  testCall: (integration: Integration, credentials: IntegrationCredentials) => Promise<IntegrationDelivery>;
  /** Only in the local cloud: plain HTTP to loopback URLs. */
  allowLoopbackHttp: boolean;
  maxIntegrationsPerBusiness?: number;
  now?: () => Date;
  newId?: () => string;
  newSigningSecret?: () => string;
}

/** Ten per business: each costs rules on the shared bus (300 per bus by default; docs/integrations.md § Quotas). */
export const MAX_INTEGRATIONS_PER_BUSINESS = 10;

export type AdminRefusal = 'invalid' | 'not_found' | 'version_conflict' | 'limit_reached' | 'no_credentials';

/** A PUT: everything an admin may change, `auth` optional (the stored credentials are kept when absent). */
export const integrationUpdateSchema = integrationInputSchema.omit({ kind: true, auth: true }).extend({
  kind: z.enum(INTEGRATION_KINDS).optional(),
  auth: integrationAuthSchema.optional(),
  expectedVersion: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});

function invalid(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): IntegrationAdminError {
  return new IntegrationAdminError('invalid', describeIssues(issues, '(body)'));
}

/** The URLs and the kind's own rules, beyond the schema. */
function checkEndpoints(
  input: Pick<IntegrationInput, 'kind' | 'baseUrl' | 'lookup' | 'lookupUrl'>,
  auth: IntegrationAuth | undefined,
  allowLoopbackHttp: boolean,
): void {
  const problems: string[] = [];
  // A webhook URL is called as it is (nothing appended), so it may carry a query; a CRM base URL gets paths.
  const base = checkEndpointUrl(input.baseUrl, { allowLoopbackHttp, allowQuery: input.kind === 'webhook' });
  if (!base.ok) problems.push(`baseUrl: ${base.reason}`);
  else if (reservedQuery(base.url)) problems.push(`baseUrl: the query may not name ${RESERVED_QUERY_PARAMETERS.join(' or ')} (reserved: deliveries set them)`);
  if (input.lookupUrl !== undefined) {
    if (input.kind !== 'webhook') problems.push('lookupUrl: only a webhook integration names a lookup URL (a CRM is looked up with lookup: true)');
    const lookup = checkEndpointUrl(input.lookupUrl, { allowLoopbackHttp, allowQuery: true });
    if (!lookup.ok) problems.push(`lookupUrl: ${lookup.reason}`);
    else if (reservedQuery(lookup.url))
      problems.push(`lookupUrl: the query may not name ${RESERVED_QUERY_PARAMETERS.join(' or ')} (reserved: deliveries and lookups set them)`);
  }
  if (input.kind === 'webhook' && input.lookup) problems.push('lookup: a webhook integration looks contacts up through its lookupUrl');
  if (auth?.type === 'oauth_client_credentials') {
    const token = checkEndpointUrl(auth.tokenUrl, { allowLoopbackHttp, allowQuery: true });
    if (!token.ok) problems.push(`auth.tokenUrl: ${token.reason}`);
  }
  if (problems.length > 0) throw new IntegrationAdminError('invalid', problems.join('; '));
}

const reservedQuery = (url: URL) => RESERVED_QUERY_PARAMETERS.some((name) => url.searchParams.has(name));

export function integrationAdmin(deps: IntegrationAdminDeps) {
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const names = (record: Pick<Integration, 'businessId' | 'integrationId'>) =>
    integrationResourceNames(deps.provision.names, record.businessId, record.integrationId);

  async function existing(businessId: string, integrationId: string): Promise<IntegrationRecord> {
    const found = await deps.store.getIntegration(businessId, integrationId);
    if (!found) throw new IntegrationAdminError('not_found', 'No integration with that id in this business');
    return found;
  }

  /** Makes or removes the AWS resources as the record says, then stores where they stand. */
  async function reconcile(record: IntegrationRecord, auth: IntegrationAuth | undefined, signingSecret?: string): Promise<IntegrationRecord> {
    let provisioning: ProvisioningState;
    let resources = record.resources;
    let failure: ProvisioningError | undefined;
    try {
      if (record.enabled) {
        resources = await provisionIntegration(deps.provision, record, auth);
        provisioning = { state: 'provisioned', at: now() };
      } else {
        await removeIntegrationResources(deps.provision, record);
        resources = { ...(record.resources?.signingSecretId ? { signingSecretId: record.resources.signingSecretId } : {}) };
        provisioning = { state: 'removed', at: now() };
      }
    } catch (err) {
      if (!(err instanceof ProvisioningError)) throw err;
      failure = err;
      provisioning = { state: 'failed', at: now(), error: `${err.step}: ${err.code}`.slice(0, 200) };
    }
    const signingSecretId = record.resources?.signingSecretId;
    const next: IntegrationRecord = { ...record, resources: { ...resources, ...(signingSecretId ? { signingSecretId } : {}) }, provisioning, updatedAt: now() };
    const saved = await deps.store.saveIntegration(next, record.version);
    // Someone saved meanwhile: their save provisions what they saved.
    const current = saved.ok ? saved.value : record;
    if (failure) throw new ProvisioningFailedError(current, failure.step, failure.code, signingSecret);
    return current;
  }

  return {
    list: (businessId: string) => deps.store.listIntegrations(businessId),

    get: (businessId: string, integrationId: string) => existing(businessId, integrationId),

    async create(businessId: string, body: unknown, actor: string): Promise<{ integration: IntegrationRecord; signingSecret: string }> {
      const parsed = integrationInputSchema.safeParse(body);
      if (!parsed.success) throw invalid(parsed.error.issues);
      const input = parsed.data;
      checkEndpoints(input, input.auth, deps.allowLoopbackHttp);
      const current = await deps.store.listIntegrations(businessId);
      const max = deps.maxIntegrationsPerBusiness ?? MAX_INTEGRATIONS_PER_BUSINESS;
      if (current.length >= max) throw new IntegrationAdminError('limit_reached', `A business has at most ${max} integrations; delete one first`);

      const integrationId = (deps.newId ?? newIntegrationId)();
      const signingSecret = (deps.newSigningSecret ?? newSigningSecret)();
      const { auth, ...config } = input;
      const at = now();
      const secretArn = await deps.secrets.create(
        names({ businessId, integrationId }).secret,
        { signingSecret, auth },
        `Omnichannel integration ${integrationId} of ${businessId}`,
      );
      const record: IntegrationRecord = {
        ...config,
        businessId,
        integrationId,
        authType: auth.type,
        resources: { signingSecretId: secretArn },
        createdAt: at,
        updatedAt: at,
        createdBy: actor,
        updatedBy: actor,
        version: 1,
      };
      await deps.store.createIntegration(record);
      return { integration: await reconcile(record, auth, signingSecret), signingSecret };
    },

    async update(businessId: string, integrationId: string, body: unknown, actor: string): Promise<IntegrationRecord> {
      const parsed = integrationUpdateSchema.safeParse(body);
      if (!parsed.success) throw invalid(parsed.error.issues);
      const { expectedVersion, auth, kind, ...config } = parsed.data;
      const stored = await existing(businessId, integrationId);
      if (kind !== undefined && kind !== stored.kind) throw new IntegrationAdminError('invalid', 'kind: an integration keeps its kind; create another one');
      checkEndpoints({ ...config, kind: stored.kind }, auth, deps.allowLoopbackHttp);
      if (stored.version !== expectedVersion)
        throw new IntegrationAdminError('version_conflict', 'The integration changed meanwhile; read it again', { currentVersion: stored.version });
      const secretId = stored.resources?.signingSecretId ?? names(stored).secret;
      let credentials = await deps.secrets.read(secretId);
      if (auth) {
        credentials = { signingSecret: credentials?.signingSecret ?? (deps.newSigningSecret ?? newSigningSecret)(), auth };
        await deps.secrets.put(secretId, credentials);
      }
      if (!credentials) throw new IntegrationAdminError('no_credentials', 'auth: the stored credentials are gone; send them again');
      const next: IntegrationRecord = { ...stored, ...config, authType: credentials.auth.type, updatedAt: now(), updatedBy: actor };
      const saved = await deps.store.saveIntegration(next, expectedVersion);
      if (!saved.ok) {
        if (saved.refusal === 'not_found') throw new IntegrationAdminError('not_found', 'No integration with that id in this business');
        throw new IntegrationAdminError(
          'version_conflict',
          'The integration changed meanwhile; read it again',
          saved.currentVersion !== undefined ? { currentVersion: saved.currentVersion } : {},
        );
      }
      // The connection gets the credentials again whenever provisioning runs: our secret holds them.
      return reconcile(saved.value, credentials.auth);
    },

    async remove(businessId: string, integrationId: string, actor: string): Promise<{ deleted: true; integrationId: string }> {
      const stored = await deps.store.getIntegration(businessId, integrationId, { includeDeleted: true });
      if (!stored) throw new IntegrationAdminError('not_found', 'No integration with that id in this business');
      if (stored.deletedAt !== undefined) return { deleted: true, integrationId };
      try {
        await removeIntegrationResources(deps.provision, stored);
      } catch (err) {
        if (!(err instanceof ProvisioningError)) throw err;
        throw new ProvisioningFailedError(stored, err.step, err.code);
      }
      await deps.secrets.remove(stored.resources?.signingSecretId ?? names(stored).secret);
      const marked = await deps.store.markDeleted(businessId, integrationId, stored.version, actor, now());
      if (!marked.ok && marked.refusal === 'changed_meanwhile') {
        // Saved meanwhile (its resources may be back): delete what is there now.
        const again = await deps.store.getIntegration(businessId, integrationId);
        if (again) {
          await removeIntegrationResources(deps.provision, again).catch(() => undefined);
          await deps.store.markDeleted(businessId, integrationId, again.version, actor, now());
        }
      }
      return { deleted: true, integrationId };
    },

    async test(businessId: string, integrationId: string): Promise<IntegrationDelivery> {
      const stored = await existing(businessId, integrationId);
      const credentials = await deps.secrets.read(stored.resources?.signingSecretId ?? names(stored).secret);
      if (!credentials) throw new IntegrationAdminError('no_credentials', 'The stored credentials are gone; save the integration again with auth');
      const result = await deps.testCall(stored, credentials);
      await deps.store.recordTest(result);
      return result;
    },

    async deliveries(businessId: string, integrationId: string, limit: number): Promise<IntegrationDelivery[]> {
      await existing(businessId, integrationId);
      return deps.store.listDeliveries(businessId, integrationId, limit);
    },
  };
}

export type IntegrationAdmin = ReturnType<typeof integrationAdmin>;
