import { csvAudience, parseCsvAudience } from '#lambdas/campaigns/audience/csv-audience';
import { isKnownCountry } from '#lambdas/campaigns/audience/csv-phone';
import type { CampaignAdminDeps } from '#lambdas/campaigns/campaign-admin-deps';
import { newCampaignId } from '#lambdas/campaigns/campaign-id';
import { normalisedAudience, parseCampaignInput } from '#lambdas/campaigns/campaign-input';
import { decideAudience, DIRECT_WRITE_MAX, stageForNewCampaign } from '#lambdas/campaigns/campaign-list-build';
import { DEFAULT_RATE_SHARE, emptyCounts, type Campaign, type CampaignList } from '#lambdas/campaigns/campaign-model';
import { checkVariableSources, sendingSetup } from '#lambdas/campaigns/campaign-sending';
import { CsvAudienceError, CampaignRequestError } from '#lambdas/campaigns/errors';

/**
 * A new campaign, as a draft. Its number and template are checked now (the caller's WhatsApp
 * number, an approved template in that language), and so is its audience:
 * - contacts: the filters are kept and every template variable must have a source; the list is
 *   built when the campaign is scheduled (contacts change until then);
 * - CSV: the file is read and every row checked now (a file with bad rows is refused with their
 *   line numbers), and who is on the list is decided at once (consent, duplicates; an empty
 *   audience is refused): the file itself is not kept, only the rows that became recipients and
 *   the counts of those left off. Up to DIRECT_WRITE_MAX recipients are written to the list now
 *   (`list.status = ready`); more are staged and written in the background (`building`).
 *   Its definition is then fixed (schedule-campaign.ts checks the template's category again).
 */
export async function createCampaign(deps: CampaignAdminDeps, businessId: string, actor: string, body: unknown): Promise<Campaign> {
  const input = parseCampaignInput(body);
  const setup = await sendingSetup(deps, businessId, input);
  const now = (deps.now ?? (() => new Date()))();
  const at = now.toISOString();
  const campaignId = (deps.newCampaignId ?? (() => newCampaignId(now)))();
  const template = {
    name: input.template.name,
    language: input.template.language,
    ...(input.template.headerMediaLink ? { headerMediaLink: input.template.headerMediaLink } : {}),
    category: setup.category,
  };
  const base: Campaign = {
    businessId,
    campaignId,
    name: input.name,
    accountId: input.accountId,
    template,
    audience: { kind: 'contacts' },
    ...(input.startAt ? { startAt: new Date(Date.parse(input.startAt)).toISOString() } : {}),
    rateShare: input.rateShare ?? DEFAULT_RATE_SHARE,
    state: 'draft',
    counts: emptyCounts(),
    createdBy: actor.slice(0, 200),
    createdAt: at,
    updatedAt: at,
    version: 1,
  };

  const audience = normalisedAudience(input.audience);
  if (audience.kind === 'contacts') {
    checkVariableSources(setup.template, audience);
    const campaign: Campaign = { ...base, audience };
    await deps.store.create(campaign);
    return campaign;
  }

  if (audience.defaultCountry !== undefined && !isKnownCountry(audience.defaultCountry)) {
    throw new CampaignRequestError(400, 'invalid_request', 'audience.defaultCountry: an ISO 3166 country code (BR, MX, US…)');
  }
  const audienceTemplate = {
    template: setup.template,
    category: setup.category,
    ...(template.headerMediaLink ? { headerMediaLink: template.headerMediaLink } : {}),
  };
  let parsed: ReturnType<typeof parseCsvAudience>;
  try {
    parsed = parseCsvAudience(audience.csv, { template: audienceTemplate, ...(audience.defaultCountry ? { defaultCountry: audience.defaultCountry } : {}) });
  } catch (err) {
    if (err instanceof CsvAudienceError) throw new CampaignRequestError(400, 'invalid_csv', err.message);
    throw err;
  }
  if (parsed.badLineCount > 0) {
    throw new CampaignRequestError(
      400,
      'invalid_rows',
      `${parsed.badLineCount} line${parsed.badLineCount > 1 ? 's' : ''} of the file cannot be sent; fix ${parsed.badLineCount > 1 ? 'them' : 'it'} and upload again`,
      {
        badLines: parsed.badLines,
        badLineCount: parsed.badLineCount,
      },
    );
  }
  // Deciding who is on the list is reads only (contacts looked up in batches); writing it is the
  // slow part: a small list is written now, a larger one staged in chunks that the release
  // function writes (campaign-list-build.ts), kicked by the watchdog within a minute.
  const decided = await decideAudience(csvAudience(parsed.rows, { businessId, category: setup.category, contacts: deps.contacts }));
  if (decided.recipients.length === 0) {
    throw new CampaignRequestError(409, 'empty_audience', 'Nobody in the file can be sent this template (see skipped)', { skipped: decided.skipped });
  }
  // The list first, the campaign last: a crash in between leaves only list items, which expire.
  let list: CampaignList;
  if (decided.recipients.length <= DIRECT_WRITE_MAX) {
    const written = await deps.store.addRecipients(businessId, campaignId, 0, decided.recipients);
    list = { status: 'ready', built: written.nextSeq, updatedAt: at };
  } else {
    list = await stageForNewCampaign(deps.store, businessId, campaignId, decided, at);
  }
  const campaign: Campaign = {
    ...base,
    audience: { kind: 'csv', rows: parsed.rows.length, ...(audience.defaultCountry ? { defaultCountry: audience.defaultCountry.toUpperCase() } : {}) },
    list,
    counts: { ...emptyCounts(), targeted: decided.recipients.length, skipped: { ...decided.skipped } as Record<string, number> },
  };
  await deps.store.create(campaign);
  if (list.status === 'building') await deps.store.markRunning(businessId, campaignId);
  return campaign;
}
