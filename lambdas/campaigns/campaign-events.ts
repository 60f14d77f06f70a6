import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import type { CampaignState, PauseReason } from '#lambdas/campaigns/campaign-model';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';

/**
 * `campaign.changed`: a campaign moved to another state (scheduled, started, paused by a person or
 * by itself with the reason, resumed, completed, cancelled). Ids, state and reason only: the
 * campaign's name, audience and recipients stay in the table.
 */
export function campaignChangedEvent(input: {
  businessId: string;
  campaignId: string;
  state: CampaignState;
  previousState?: CampaignState;
  reason?: PauseReason;
  version?: number;
  at: string;
}): DomainEvent {
  return {
    source: EVENT_SOURCE.campaigns,
    detailType: DETAIL_TYPE.campaignChanged,
    detail: {
      v: 1,
      businessId: input.businessId,
      campaignId: input.campaignId,
      state: input.state,
      ...(input.previousState ? { previousState: input.previousState } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.version !== undefined ? { version: input.version } : {}),
      at: input.at,
    },
  };
}
