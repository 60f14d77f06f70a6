-- Handling time of conversations a person took: wait from the handoff to the person's first
-- reply, and handling from the handoff to the close, in seconds (average and median), by channel.
WITH handled AS (
  SELECT c.conversation_key, c.channel, c.handoff_requested_ms, c.closed_ms,
         min(m.occurred_ms) AS first_human_reply_ms
  FROM conversations c
  LEFT JOIN messages m
    ON m.conversation_key = c.conversation_key AND m.direction = 'outbound'
   AND m.origin = 'human_agent' AND m.occurred_ms >= c.handoff_requested_ms
  WHERE c.handoff_requested_ms IS NOT NULL
  GROUP BY c.conversation_key, c.channel, c.handoff_requested_ms, c.closed_ms
),
timed AS (
  SELECT channel,
         CASE WHEN first_human_reply_ms IS NOT NULL THEN CAST(first_human_reply_ms - handoff_requested_ms AS DOUBLE) / 1000 END AS wait_s,
         CASE WHEN closed_ms >= handoff_requested_ms THEN CAST(closed_ms - handoff_requested_ms AS DOUBLE) / 1000 END AS handling_s
  FROM handled
),
expanded AS (
  SELECT channel, wait_s, handling_s FROM timed
  UNION ALL SELECT 'all', wait_s, handling_s FROM timed
),
ranked AS (
  SELECT channel, wait_s, handling_s,
         CASE WHEN handling_s IS NOT NULL THEN row_number() OVER (PARTITION BY channel, handling_s IS NULL ORDER BY handling_s) END AS rank_no,
         sum(CASE WHEN handling_s IS NOT NULL THEN 1 ELSE 0 END) OVER (PARTITION BY channel) AS closed_total
  FROM expanded
)
SELECT channel,
       count(*) AS handed_off,
       sum(CASE WHEN wait_s IS NOT NULL THEN 1 ELSE 0 END) AS answered_by_person,
       max(closed_total) AS closed,
       round(avg(wait_s), 1) AS avg_wait_s,
       round(avg(handling_s), 1) AS avg_handling_s,
       round(min(CASE WHEN rank_no >= ceil(0.5 * closed_total) THEN handling_s END), 1) AS median_handling_s
FROM ranked
GROUP BY channel
ORDER BY CASE WHEN channel = 'all' THEN 1 ELSE 0 END, channel
