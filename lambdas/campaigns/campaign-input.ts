import * as z from 'zod';
import { campaignInputSchema, type CampaignInput } from '#lambdas/campaigns/campaign-model';
import type { CampaignResult } from '#lambdas/campaigns/campaign-ports';
import { describeIssues } from '#lambdas/shared/http-json';
import { CampaignRequestError } from '#lambdas/campaigns/errors';

const version = z.number().int().min(0).max(1_000_000_000);

/** A change to a draft: the fields to replace, at the version the admin read. */
export const campaignUpdateSchema = campaignInputSchema.partial().extend({ expectedVersion: version });
export type CampaignUpdate = z.infer<typeof campaignUpdateSchema>;

/** Schedule, pause, resume, cancel: the version the operator read (checked when given). */
export const campaignActionSchema = z.strictObject({ expectedVersion: version.optional() });

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new CampaignRequestError(400, 'invalid_request', describeIssues(parsed.error.issues, '(body)'));
  return parsed.data;
}

export const parseCampaignInput = (body: unknown): CampaignInput => parseBody(campaignInputSchema, body);

/** Tags as contacts keep them: lower case, trimmed. */
export function normalisedAudience<T extends CampaignInput['audience']>(audience: T): T {
  if (audience.kind !== 'contacts') return audience;
  const lower = (tags: string[] | undefined) => (tags ? [...new Set(tags.map((t) => t.trim().toLowerCase()))] : undefined);
  const tags = lower(audience.tags);
  const excludeTags = lower(audience.excludeTags);
  return { ...audience, ...(tags ? { tags } : {}), ...(excludeTags ? { excludeTags } : {}) };
}

/** A store refusal as the API answers it. */
export function unwrap<T>(result: CampaignResult<T>): T {
  if (result.ok) return result.value;
  switch (result.refusal) {
    case 'not_found':
      throw new CampaignRequestError(404, 'campaign_not_found', 'No campaign with that id in your business');
    case 'changed_meanwhile':
      throw new CampaignRequestError(409, 'version_conflict', result.message);
    case 'wrong_state':
      throw new CampaignRequestError(409, 'wrong_state', result.message);
  }
}
