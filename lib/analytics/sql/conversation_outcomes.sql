-- How conversations ended, per business, day (UTC), channel and queue, in the report period (by the
-- time each ended): a person's close with the outcome the agent picked (`person`; queue `none` when
-- it never went through a queue) and the bot's end after the customer went quiet (`bot`, queue
-- `bot`: resolved_by_bot, no_response, opted_out, unresolved). A conversation closed by a person and
-- later ended by the bot (the customer came back) counts once for each.
WITH ends AS (
  SELECT coalesce(c.business_id, a.business_id, 'unknown') AS business_id,
         c.closed_day AS day, c.channel, coalesce(c.queue_id, 'none') AS queue_id,
         'person' AS ended_by, coalesce(c.close_outcome, 'closed') AS outcome, c.closed_ms AS at_ms
  FROM conversations c
  LEFT JOIN accounts a ON a.account_id = c.account_id
  WHERE c.closed_ms IS NOT NULL
  UNION ALL
  SELECT coalesce(c.business_id, a.business_id, 'unknown') AS business_id,
         c.ended_day AS day, c.channel, 'bot' AS queue_id,
         'bot' AS ended_by, c.end_outcome AS outcome, c.ended_ms AS at_ms
  FROM conversations c
  LEFT JOIN accounts a ON a.account_id = c.account_id
  WHERE c.ended_ms IS NOT NULL AND c.end_outcome IS NOT NULL
)
SELECT e.business_id, e.day, e.channel, e.queue_id, e.ended_by, e.outcome,
       count(*) AS conversations
FROM ends e
CROSS JOIN report_period p
WHERE (p.from_ms IS NULL OR e.at_ms >= p.from_ms)
  AND (p.to_ms IS NULL OR e.at_ms < p.to_ms)
GROUP BY e.business_id, e.day, e.channel, e.queue_id, e.ended_by, e.outcome
ORDER BY e.business_id, e.day, e.channel, e.queue_id, e.ended_by, e.outcome
