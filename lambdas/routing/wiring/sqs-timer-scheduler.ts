import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RoutingTimer, TimerScheduler } from '#lambdas/routing/routing-ports';

/** SQS holds a message back at most 15 minutes; a later timer is sent again when it arrives (chained). */
export const MAX_SQS_DELAY_SECONDS = 900;

/** The environment variable naming the routing queue, for functions other than the routing consumer (the API). */
export const ROUTING_QUEUE_URL_ENV = 'ROUTING_QUEUE_URL';

/** Whole seconds to hold a timer message back: until `dueAt`, at most 15 minutes, 0 when due. */
export function timerDelaySeconds(dueAt: string, now: Date): number {
  const due = Date.parse(dueAt);
  if (!Number.isFinite(due)) return 0;
  const seconds = Math.ceil((due - now.getTime()) / 1000);
  return Math.max(0, Math.min(MAX_SQS_DELAY_SECONDS, seconds));
}

/** The body of a timer message on the routing queue. */
export interface TimerMessage {
  timer: RoutingTimer;
}

/**
 * Routing timers as delayed messages on the routing queue itself: the message waits in SQS (so a
 * crash loses nothing), the routing consumer sends it on again while it is not yet due, and the
 * engine checks the conversation's state when it fires (so a repeat or a stale timer does nothing).
 */
export function sqsTimerScheduler(deps: { sqs: Pick<SQSClient, 'send'>; queueUrl: string; now?: () => Date }): TimerScheduler {
  const now = deps.now ?? (() => new Date());
  return {
    async schedule(timer) {
      const body: TimerMessage = { timer };
      await deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.queueUrl,
          MessageBody: JSON.stringify(body),
          DelaySeconds: timerDelaySeconds(timer.dueAt, now()),
        }),
      );
    },
  };
}
