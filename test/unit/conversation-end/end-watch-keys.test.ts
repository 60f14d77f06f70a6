import { describe, expect, it } from 'vitest';
import { END_WATCH_SHARDS, endWatchBucketOf, endWatchBucketStart, endWatchShardOf, nextEndWatchBucket } from '#lambdas/conversation-end/end-watch-keys';

describe('end-watch buckets', () => {
  it('are quarter-hours of UTC time that sort as they follow each other', () => {
    expect(endWatchBucketOf(Date.parse('2026-11-21T12:14:59.999Z'))).toBe('2026-11-21T12:00');
    expect(endWatchBucketOf(Date.parse('2026-11-21T12:15:00.000Z'))).toBe('2026-11-21T12:15');
    expect(nextEndWatchBucket('2026-11-21T23:45')).toBe('2026-11-22T00:00');
    expect(endWatchBucketStart('2026-11-21T12:15')).toBe(Date.parse('2026-11-21T12:15:00.000Z'));
    expect(endWatchBucketStart("2026-11-21T12:15'; x")).toBeNaN();
    expect('2026-11-21T09:45' < '2026-11-21T10:00').toBe(true);
  });

  it('spread conversations over the shards, the same conversation always in the same one', () => {
    const shards = new Set(Array.from({ length: 200 }, (_, i) => endWatchShardOf(`wa:100:55119${i}`)));
    expect(shards.size).toBe(END_WATCH_SHARDS);
    expect(endWatchShardOf('ig:1:2')).toBe(endWatchShardOf('ig:1:2'));
  });
});
