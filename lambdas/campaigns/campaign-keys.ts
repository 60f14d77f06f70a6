import { boundedId } from '#lambdas/shared/bounded-id';

/**
 * Campaign items in the single table (see conversation/table-keys.ts for the rest):
 *
 *   pk                                   sk                      entity              holds
 *   CAMPAIGNS#<business>                 CAMPAIGN#<campaign id>  Campaign            campaign-model.ts Campaign with its counts
 *   CAMPAIGN#<business>#<campaign id>    R#<seq, 8 digits>       CampaignRecipient   one customer on the list, in release order
 *   CAMPAIGN#<business>#<campaign id>    WA#<wa_id>              CampaignRecipientRef dedup guard and lookup by customer (seq)
 *   CAMPAIGN#<business>#<campaign id>    BUILD#<attempt>#<n>     StagedChunk         a decided audience's chunk waiting to be written to the list (TTL a week)
 *   CAMPAIGN#<business>#<campaign id>    WALK#<attempt>#<step>   CampaignAudienceWalk a deciding step's place in the contacts index and who it met (hashes; TTL a week)
 *   CAMPAIGN#<business>#<campaign id>    RELEASE                 CampaignRelease     the release loop's cursor (next seq, tick number, last tick time)
 *   LIMIT#<business>                     HOUR#<yyyy-mm-ddThh>    MessagingLimitUse   unique customers reached by campaigns that hour (24 buckets = Meta's moving 24 h)
 *   RUNNING_CAMPAIGNS                    <business>#<campaign id> RunningCampaign    the watchdog's list of campaigns to keep releasing (removed when they end)
 *
 * The outbound Message item of a campaign send carries `campaignId` and `campaignBusinessId`, so the
 * status tracker and the charge recorder count its transitions on the campaign; the conversation
 * item carries `lastCampaign { businessId, campaignId, at }` so a reply or an opt-out within
 * ATTRIBUTION_WINDOW_DAYS is counted once for it.
 */
export const campaignsPk = (businessId: string) => `CAMPAIGNS#${boundedId(businessId)}`;
export const campaignSk = (campaignId: string) => `CAMPAIGN#${boundedId(campaignId)}`;
export const campaignListPk = (businessId: string, campaignId: string) => `CAMPAIGN#${boundedId(businessId)}#${boundedId(campaignId)}`;
export const recipientSk = (seq: number) => `R#${String(seq).padStart(8, '0')}`;
export const recipientRefSk = (waId: string) => `WA#${waId}`;
export const RELEASE_SK = 'RELEASE';
export const listChunkSk = (attempt: string, chunk: number) => `BUILD#${attempt}#${String(chunk).padStart(5, '0')}`;
export const listWalkPrefix = (attempt: string) => `WALK#${attempt}#`;
export const listWalkSk = (attempt: string, step: number) => `${listWalkPrefix(attempt)}${String(step).padStart(6, '0')}`;
export const limitPk = (businessId: string) => `LIMIT#${boundedId(businessId)}`;
export const limitHourSk = (at: Date) => `HOUR#${at.toISOString().slice(0, 13)}`;
export const RUNNING_CAMPAIGNS_PK = 'RUNNING_CAMPAIGNS';
export const runningSk = (businessId: string, campaignId: string) => `${boundedId(businessId)}#${boundedId(campaignId)}`;
/** The outbound message id of a campaign send: the same for the same campaign and customer, so a release repeated after a crash names the same message. */
export const campaignMessageId = (campaignId: string, waId: string) => `cmp.${campaignId}.${waId}`;
