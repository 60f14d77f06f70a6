-- First-contact resolution: of the conversations a person closed, the share the customer did not
-- come back to within 7 days (an answer to the satisfaction question is not coming back).
WITH closed AS (
  SELECT conversation_key, channel, closed_ms, csat_message_id
  FROM conversations
  WHERE closed_ms IS NOT NULL
),
came_back AS (
  SELECT DISTINCT c.conversation_key
  FROM closed c
  JOIN messages m
    ON m.conversation_key = c.conversation_key AND m.direction = 'inbound' AND m.origin = 'customer'
   AND m.occurred_ms > c.closed_ms AND m.occurred_ms <= c.closed_ms + 7 * 86400000
   AND NOT (m.message_id = coalesce(c.csat_message_id, '') OR coalesce(m.choice_id, '') LIKE 'csat:%')
)
SELECT coalesce(c.channel, 'all') AS channel,
       count(*) AS closed,
       sum(CASE WHEN b.conversation_key IS NULL THEN 1 ELSE 0 END) AS resolved_first_contact,
       round(100 * CAST(sum(CASE WHEN b.conversation_key IS NULL THEN 1 ELSE 0 END) AS DOUBLE) / count(*), 1) AS fcr_pct
FROM closed c
LEFT JOIN came_back b ON b.conversation_key = c.conversation_key
GROUP BY GROUPING SETS ((c.channel), ())
ORDER BY CASE WHEN c.channel IS NULL THEN 1 ELSE 0 END, c.channel
