import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { eventBridgePublisher, PublishError } from '#lambdas/adapters/event-publisher';

const ebMock = mockClient(EventBridgeClient);
const client = new EventBridgeClient({ region: 'us-east-1' });
const noSleep = async () => {};
const ev = (i: number) => ({ source: 'io.omnichannel.test', detailType: 'thing.happened', detail: { i } });

describe('eventBridgePublisher', () => {
  beforeEach(() => ebMock.reset());

  it('treats FailedEntryCount > 0 as failure and resends only the failed entries', async () => {
    let call = 0;
    ebMock.on(PutEventsCommand).callsFake((input) => {
      call++;
      const n = input.Entries.length;
      if (call === 1) {
        return {
          FailedEntryCount: 1,
          Entries: Array.from({ length: n }, (_, i) => (i === 1 ? { ErrorCode: 'ThrottlingException' } : { EventId: `e${i}` })),
        };
      }
      return { FailedEntryCount: 0, Entries: Array.from({ length: n }, (_, i) => ({ EventId: `r${i}` })) };
    });
    await eventBridgePublisher(client, 'bus', noSleep).publish([ev(0), ev(1), ev(2)]);
    const calls = ebMock.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input.Entries!.map((e) => JSON.parse(e.Detail!).i)).toEqual([1]);
    expect(calls[0]!.args[0].input.Entries![0]!.EventBusName).toBe('bus');
  });

  it('throws after repeated partial failures instead of reporting success', async () => {
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    await expect(eventBridgePublisher(client, 'bus', noSleep).publish([ev(0)])).rejects.toBeInstanceOf(PublishError);
  });

  it('sends at most 10 entries per call', async () => {
    ebMock.on(PutEventsCommand).callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
    await eventBridgePublisher(client, 'bus', noSleep).publish(Array.from({ length: 25 }, (_, i) => ev(i)));
    expect(ebMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 5]);
  });
});
