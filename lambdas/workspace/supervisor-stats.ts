import type { ClosedConversation } from '#lambdas/workspace/closed-conversations-store';

/**
 * The day's figures of a business per queue and per agent, from the conversations closed that day:
 *
 * - FRT: first human response − queued (or handoff requested), seconds, average.
 * - Handling time (TMO): closed − assigned, seconds, average.
 * - Wait: assigned − queued, seconds, average.
 * - FCR: share of conversations closed `resolved` with no transfer. (Whether the customer came back
 *   later is not counted: a reopened conversation leaves the closed list and is not in the figures.)
 * - CSAT: average of the scores given (1–5) and how many gave one.
 * - SLA met: share of conversations with a first-response target that were not breached.
 */
export interface Figures {
  closed: number;
  frtSeconds?: number;
  handlingSeconds?: number;
  waitSeconds?: number;
  fcrRate?: number;
  csatAverage?: number;
  csatResponses: number;
  slaMetRate?: number;
  withSla: number;
  transfers: number;
}

export interface DayStats {
  date: string;
  timezone: string;
  from: string;
  to: string;
  total: Figures;
  queues: Array<{ queueId: string } & Figures>;
  agents: Array<{ agentId: string } & Figures>;
  /** True when more conversations closed than were read; figures cover the newest. */
  truncated: boolean;
}

export function dayStats(
  input: { date: string; timezone: string; from: string; to: string; truncated: boolean },
  conversations: readonly ClosedConversation[],
): DayStats {
  const byQueue = groupBy(conversations, (c) => c.queueId ?? 'default');
  const byAgent = groupBy(conversations, (c) => c.assignedAgentId ?? c.closedBy);
  return {
    ...input,
    total: figures(conversations),
    queues: [...byQueue].map(([queueId, list]) => ({ queueId, ...figures(list) })).sort((a, b) => a.queueId.localeCompare(b.queueId)),
    agents: [...byAgent].map(([agentId, list]) => ({ agentId, ...figures(list) })).sort((a, b) => a.agentId.localeCompare(b.agentId)),
  };
}

export function figures(list: readonly ClosedConversation[]): Figures {
  const frt: number[] = [];
  const handling: number[] = [];
  const wait: number[] = [];
  const csat: number[] = [];
  let fcr = 0;
  let withOutcome = 0;
  let withSla = 0;
  let slaMet = 0;
  let transfers = 0;
  for (const c of list) {
    const queued = c.queuedAt ?? c.handoffRequestedAt;
    const firstResponse = c.firstHumanResponseAt ?? c.firstHumanReplyAt;
    push(frt, seconds(queued, firstResponse));
    push(handling, seconds(c.assignedAt, c.closedAt));
    push(wait, seconds(c.queuedAt, c.assignedAt));
    if (typeof c.csatScore === 'number' && c.csatScore >= 1 && c.csatScore <= 5) csat.push(c.csatScore);
    const transferCount = typeof c.transfers === 'number' && c.transfers > 0 ? c.transfers : 0;
    transfers += transferCount;
    if (c.closeOutcome) {
      withOutcome += 1;
      // A sale closed at first contact resolved the customer's need too.
      if ((c.closeOutcome === 'resolved' || c.closeOutcome === 'converted') && transferCount === 0) fcr += 1;
    }
    if (c.slaFirstResponseDueAt) {
      withSla += 1;
      const met = c.slaState ? c.slaState !== 'breached' : firstResponse !== undefined && firstResponse <= c.slaFirstResponseDueAt;
      if (met) slaMet += 1;
    }
  }
  return {
    closed: list.length,
    ...avg('frtSeconds', frt),
    ...avg('handlingSeconds', handling),
    ...avg('waitSeconds', wait),
    ...(withOutcome > 0 ? { fcrRate: round(fcr / withOutcome, 4) } : {}),
    ...(csat.length > 0 ? { csatAverage: round(csat.reduce((a, b) => a + b, 0) / csat.length, 2) } : {}),
    csatResponses: csat.length,
    ...(withSla > 0 ? { slaMetRate: round(slaMet / withSla, 4) } : {}),
    withSla,
    transfers,
  };
}

function groupBy(list: readonly ClosedConversation[], keyOf: (c: ClosedConversation) => string | undefined): Map<string, ClosedConversation[]> {
  const groups = new Map<string, ClosedConversation[]>();
  for (const c of list) {
    const key = keyOf(c);
    if (key === undefined) continue;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return groups;
}

function seconds(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}

function push(list: number[], value: number | undefined): void {
  if (value !== undefined) list.push(value);
}

function avg<K extends string>(key: K, values: number[]): Partial<Record<K, number>> {
  if (values.length === 0) return {};
  return { [key]: round(values.reduce((a, b) => a + b, 0) / values.length, 1) } as Partial<Record<K, number>>;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
