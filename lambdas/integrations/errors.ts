import { FinalError, RetryableError } from '#lambdas/shared/domain-error';
import type { AdminRefusal } from '#lambdas/integrations/api/integration-admin';
import type { IntegrationRecord } from '#lambdas/integrations/integration-store';
import type { Integration } from '#lambdas/integrations/integration-model';
import type { CrmLookupFailure } from '#lambdas/integrations/lookup/crm-lookup-http';
import type { RetryAfter } from '#lambdas/shared/record-retry';

export class EndpointRefusedError extends FinalError {
  override name = 'EndpointRefusedError';
}

export class IntegrationAdminError extends FinalError {
  override name = 'IntegrationAdminError';
  constructor(
    readonly code: AdminRefusal,
    message: string,
    readonly details: { currentVersion?: number } = {},
  ) {
    super(message);
  }
}

/** The resources could not be made; the config is stored with `provisioning.state = failed` and a save (PUT) tries again. */
export class ProvisioningFailedError extends RetryableError {
  override name = 'ProvisioningFailedError';
  constructor(
    readonly integration: IntegrationRecord,
    readonly step: string,
    readonly code: string,
    readonly signingSecret?: string,
  ) {
    super(`The integration is saved, but its delivery resources could not be made (${step}: ${code}); save it again to retry`);
  }
}

export class CredentialError extends FinalError {
  override name = 'CredentialError';
}

export class LookupAnswerError extends FinalError {
  override name = 'LookupAnswerError';
}

export class CrmLookupError extends FinalError {
  readonly kind: Integration['kind'];
  readonly reason: CrmLookupFailure;
  readonly status: number | undefined;

  constructor(kind: Integration['kind'], reason: CrmLookupFailure, status?: number) {
    super(`${kind} lookup failed: ${reason}${status === undefined ? '' : ` (HTTP ${status})`}`);
    this.name = 'CrmLookupError';
    this.kind = kind;
    this.reason = reason;
    this.status = status;
  }
}

/** A closed conversation the customer wrote to again: its new session starts when the agent reopens it. */
export class ReopenPendingError extends RetryableError implements RetryAfter {
  override name = 'ReopenPendingError';
  readonly retryAfterMs = 20_000;
}

export class ProvisioningError extends RetryableError {
  override name = 'ProvisioningError';
  constructor(
    readonly step: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`Provisioning stopped at ${step} (${code})`, options);
  }
}
