-- First response time: for each conversation, from the customer's first message to the first
-- reply of the bot or of a person, in seconds. Median and p90 (nearest rank) by channel and by
-- the hour (UTC) the customer wrote; hour NULL is the whole day, channel 'all' every channel.
-- Imported history is left out: only messages customers wrote live count.
WITH customer_messages AS (
  SELECT conversation_key, channel, occurred_ms, occurred_hour,
         row_number() OVER (PARTITION BY conversation_key ORDER BY occurred_ms, message_id) AS nth
  FROM messages
  WHERE direction = 'inbound' AND origin = 'customer' AND occurred_ms IS NOT NULL
),
first_contact AS (
  SELECT conversation_key, channel, occurred_ms, occurred_hour FROM customer_messages WHERE nth = 1
),
answered AS (
  SELECT f.channel, f.occurred_hour AS hour, CAST(min(r.occurred_ms) - f.occurred_ms AS DOUBLE) / 1000 AS seconds
  FROM first_contact f
  JOIN messages r
    ON r.conversation_key = f.conversation_key AND r.direction = 'outbound'
   AND r.origin IN ('agent', 'human_agent') AND r.occurred_ms >= f.occurred_ms
  GROUP BY f.conversation_key, f.channel, f.occurred_hour, f.occurred_ms
),
expanded AS (
  SELECT channel, hour, seconds FROM answered
  UNION ALL SELECT channel, CAST(NULL AS INTEGER), seconds FROM answered
  UNION ALL SELECT 'all', CAST(NULL AS INTEGER), seconds FROM answered
),
ranked AS (
  SELECT channel, hour, seconds,
         row_number() OVER (PARTITION BY channel, hour ORDER BY seconds) AS rank_no,
         count(*) OVER (PARTITION BY channel, hour) AS total
  FROM expanded
)
SELECT channel, hour,
       max(total) AS conversations,
       round(min(CASE WHEN rank_no >= ceil(0.5 * total) THEN seconds END), 1) AS median_s,
       round(min(CASE WHEN rank_no >= ceil(0.9 * total) THEN seconds END), 1) AS p90_s
FROM ranked
GROUP BY channel, hour
ORDER BY CASE WHEN channel = 'all' THEN 1 ELSE 0 END, channel, CASE WHEN hour IS NULL THEN 0 ELSE 1 END, hour
