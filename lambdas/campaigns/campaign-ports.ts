import type { Campaign, CampaignCounts, CampaignList, CampaignRecipient, CampaignState, PauseReason, RecipientState } from '#lambdas/campaigns/campaign-model';

export type CampaignRefusal = 'not_found' | 'changed_meanwhile' | 'wrong_state';
export type CampaignResult<T> = { ok: true; value: T } | { ok: false; refusal: CampaignRefusal; message: string };

/** A page of a list; pass `cursor` back for the next. */
export interface Page<T> {
  items: T[];
  cursor?: string;
}

/** Where the release loop is: the next list position to hand out, and its tick. */
export interface ReleaseCursor {
  nextSeq: number;
  /** How many recipients the list holds (set when scheduling finishes). */
  total: number;
  /** Increments on every tick; a tick that finds another number here was overtaken and does nothing. */
  tick: number;
  lastTickAt?: string;
}

/** Additions to a campaign's counts (each an atomic ADD). */
export type CountsDelta = Partial<Omit<CampaignCounts, 'skipped' | 'failedByError'>> & {
  skipped?: Record<string, number>;
  failedByError?: Record<string, number>;
};

/** Persistence of campaigns (campaign-store.ts against DynamoDB; an in-memory one for unit tests). */
export interface CampaignStore {
  create(campaign: Campaign): Promise<void>;
  get(businessId: string, campaignId: string): Promise<Campaign | undefined>;
  /** Newest first. */
  list(businessId: string, page: { limit: number; cursor?: string }): Promise<Page<Campaign>>;
  /** Replace a draft's definition at its version. */
  updateDraft(
    businessId: string,
    campaignId: string,
    expectedVersion: number,
    change: Pick<Campaign, 'name' | 'accountId' | 'template' | 'audience' | 'rateShare'> & { startAt?: string },
    at: string,
  ): Promise<CampaignResult<Campaign>>;
  /**
   * Move the campaign from one of `from` to `to` (with the attributes that go with it: pause reason,
   * started/completed times); `expectedVersion` when a person asked (optimistic lock), absent for the
   * release loop. `pauseReason` is removed on any move away from `paused`.
   */
  transition(
    businessId: string,
    campaignId: string,
    from: readonly CampaignState[],
    to: CampaignState,
    at: string,
    extra?: {
      pauseReason?: PauseReason;
      expectedVersion?: number;
      template?: Campaign['template'];
      /** The list's build, set with the move (scheduling starts it). */
      list?: CampaignList;
      /** Set (not added) with the move: the list's size and what was left out, written when scheduling finishes. */
      counts?: Partial<Pick<CampaignCounts, 'targeted' | 'skipped'>>;
    },
  ): Promise<CampaignResult<Campaign>>;
  addCounts(businessId: string, campaignId: string, delta: CountsDelta): Promise<void>;

  /**
   * Replace the campaign's `list` (and, when given, set its `targeted`/`skipped` counts) without
   * moving its version: the build's progress is not an operator's edit. `when.nextChunk`: only if
   * the list's next chunk is that one; `when.deciding`: only if the audience is still undecided at
   * that deciding step (ListDecidingStep). False when the condition does not hold (another copy of
   * the build step moved it first).
   */
  setList(
    businessId: string,
    campaignId: string,
    list: CampaignList,
    options?: { when?: { nextChunk: number } | { deciding: ListDecidingStep }; counts?: Pick<CampaignCounts, 'targeted' | 'skipped'> },
  ): Promise<boolean>;
  /** Keep one staged chunk of a decided audience (expires after a week: a build takes minutes). */
  putListChunk(businessId: string, campaignId: string, attempt: string, chunk: number, staged: StagedChunk): Promise<void>;
  listChunk(businessId: string, campaignId: string, attempt: string, chunk: number): Promise<StagedChunk | undefined>;
  /**
   * One step of deciding a contacts audience, all or nothing (one transaction): its staged chunks,
   * its walk (who it met, where the next step goes on) and the campaign's `list` (with the counts,
   * on the step that ends the walk) — on condition that the list is still at that step
   * (ListDecidingStep). False when it is not: another copy of the step committed first, and
   * nothing of this one was written.
   */
  commitDecidingStep(businessId: string, campaignId: string, commit: DecidingStepCommit): Promise<boolean>;
  /** What the committed steps before `beforeStep` of a deciding attempt hand on: who they met (a digest each, in step order) and where the walk goes on. */
  decidingWalk(businessId: string, campaignId: string, attempt: string, beforeStep: number): Promise<{ met: Uint8Array[]; cursor?: string }>;

  /**
   * Append recipients to the list, in order, from `firstSeq`. A wa_id already on the list is not added
   * again (returned in `duplicates`). Safe to repeat with the same input (same seqs, same guards).
   */
  addRecipients(
    businessId: string,
    campaignId: string,
    firstSeq: number,
    recipients: Array<Omit<CampaignRecipient, 'campaignId' | 'seq' | 'state'>>,
  ): Promise<{ added: number; duplicates: string[]; nextSeq: number }>;
  /** The position after the last recipient on the list (0 when it is empty): where a rebuilt list goes on. */
  listEnd(businessId: string, campaignId: string): Promise<number>;
  /** Recipients from list position `fromSeq` on, in order, at most `limit`. */
  recipientsFrom(businessId: string, campaignId: string, fromSeq: number, limit: number): Promise<CampaignRecipient[]>;
  recipientByWaId(businessId: string, campaignId: string, waId: string): Promise<CampaignRecipient | undefined>;
  /** The recipient's state moves forward only (queued → released → sent → delivered → read; failed from any before read); false when it was already there or beyond. */
  advanceRecipient(
    businessId: string,
    campaignId: string,
    seq: number,
    to: RecipientState,
    change: { messageId?: string; conversationKey?: string; at: string; errorCode?: string },
  ): Promise<boolean>;
  /** Marks a recipient as having replied; false when it already was. */
  markReplied(businessId: string, campaignId: string, waId: string): Promise<boolean>;
  listRecipients(businessId: string, campaignId: string, filter: { state?: RecipientState; limit: number; cursor?: string }): Promise<Page<CampaignRecipient>>;

  getRelease(businessId: string, campaignId: string): Promise<ReleaseCursor | undefined>;
  putRelease(businessId: string, campaignId: string, cursor: ReleaseCursor): Promise<void>;
  /** Moves the cursor only from the tick the caller read (`expectedTick`); false when another tick moved it first. */
  advanceRelease(businessId: string, campaignId: string, expectedTick: number, next: { nextSeq: number; at: string }): Promise<boolean>;

  /** The watchdog's list of campaigns the release loop must keep going. */
  markRunning(businessId: string, campaignId: string): Promise<void>;
  unmarkRunning(businessId: string, campaignId: string): Promise<void>;
  listRunning(): Promise<Array<{ businessId: string; campaignId: string }>>;

  /** Unique customers reached by this business's campaigns, counted by hour. */
  recordReach(businessId: string, customers: number, at: Date): Promise<void>;
  /** The sum of the last 24 hourly buckets up to `now` (Meta's moving 24 hours, rounded to the hour). */
  reachInLast24h(businessId: string, now: Date): Promise<number>;
}

/** A part of a decided audience waiting to be written to the list: its recipients from list position `firstSeq`. */
export interface StagedChunk {
  firstSeq: number;
  recipients: Array<Omit<CampaignRecipient, 'campaignId' | 'seq' | 'state'>>;
}

/**
 * Which deciding step a list is at: step 0 — nothing decided and no step taken (`list.chunks` and
 * `list.deciding` absent); step n > 0 — `list.deciding.step` is n and `list.attempt` is `attempt`.
 */
export interface ListDecidingStep {
  step: number;
  attempt?: string;
}

/** What one deciding step writes (CampaignStore.commitDecidingStep). */
export interface DecidingStepCommit {
  /** The step taken: the list must be at it. */
  step: number;
  /** The deciding attempt (new on step 0): staged chunks and walks are keyed by it. */
  attempt: string;
  /** The campaign's list after the step. */
  list: CampaignList;
  /** The recipients this step decided, staged under their chunk numbers. */
  chunks: Array<{ chunk: number; staged: StagedChunk }>;
  /** For the next step (absent on the step that ends the walk): whom this step met, and the contacts index cursor to go on from. */
  walk?: { met: Uint8Array; cursor: string };
  /** Set on the step that ends the walk. */
  counts?: Pick<CampaignCounts, 'targeted' | 'skipped'>;
}

/** The list build's own messages on the ticks queue: the next chunk of one campaign's list, or (while its audience is decided) its next deciding step. */
export interface ListBuilds {
  schedule(build: { businessId: string; campaignId: string; chunk: number; step?: number }, delaySeconds: number): Promise<void>;
}

/** The campaign sender's queue (campaign traffic kept off the conversational outbound queue). */
export interface CampaignSendQueue {
  /** Each entry becomes one `reply.requested`-shaped message, delivered after `delaySeconds` (0–900). */
  enqueue(sends: Array<{ conversationKey: string; outboundId: string; accountId: string; delaySeconds: number }>): Promise<void>;
}

/** The release loop's own wake-ups (SQS with a delay: the next tick of one campaign). */
export interface ReleaseTicks {
  schedule(tick: { businessId: string; campaignId: string; tick: number }, delaySeconds: number): Promise<void>;
}
