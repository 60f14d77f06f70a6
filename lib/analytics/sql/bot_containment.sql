-- Bot containment and handoff rate: of the conversations in which a customer wrote (imported
-- history does not count), how many the bot handled alone and how many went to a person.
WITH live AS (
  SELECT DISTINCT conversation_key FROM messages WHERE direction = 'inbound' AND origin = 'customer'
),
people AS (
  SELECT DISTINCT conversation_key FROM messages WHERE direction = 'outbound' AND origin = 'human_agent'
),
flagged AS (
  SELECT c.channel,
         CASE WHEN c.handoff_requested_ms IS NOT NULL OR p.conversation_key IS NOT NULL THEN 1 ELSE 0 END AS handed_off
  FROM conversations c
  JOIN live l ON l.conversation_key = c.conversation_key
  LEFT JOIN people p ON p.conversation_key = c.conversation_key
)
SELECT coalesce(channel, 'all') AS channel,
       count(*) AS conversations,
       count(*) - sum(handed_off) AS contained,
       sum(handed_off) AS handed_off,
       round(100 * CAST(count(*) - sum(handed_off) AS DOUBLE) / count(*), 1) AS containment_pct,
       round(100 * CAST(sum(handed_off) AS DOUBLE) / count(*), 1) AS handoff_pct
FROM flagged
GROUP BY GROUPING SETS ((channel), ())
ORDER BY CASE WHEN channel IS NULL THEN 1 ELSE 0 END, channel
