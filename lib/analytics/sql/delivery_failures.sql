-- Delivery failures by Meta error code: of the business messages that left the pipeline (sent or
-- refused), the share that failed, per channel and error. `rule:<reason>` marks messages our own
-- reading of Meta's rules refused before calling Meta; error 'all' is every failure of the channel.
WITH attempted AS (
  SELECT channel, status, error_code, error_title, failure_reason
  FROM messages
  WHERE direction = 'outbound' AND origin <> 'history' AND status IN ('sent', 'delivered', 'read', 'played', 'failed')
),
per_channel AS (
  SELECT channel, count(*) AS attempted FROM attempted GROUP BY channel
),
failures AS (
  SELECT channel,
         CASE WHEN error_code IS NOT NULL THEN CAST(error_code AS VARCHAR)
              WHEN failure_reason IS NOT NULL THEN 'rule:' || failure_reason
              ELSE 'unknown' END AS error,
         error_title
  FROM attempted
  WHERE status = 'failed'
),
grouped AS (
  SELECT channel, error, max(error_title) AS title, count(*) AS failed FROM failures GROUP BY channel, error
  UNION ALL
  SELECT channel, 'all', CAST(NULL AS VARCHAR), count(*) FROM failures GROUP BY channel
)
SELECT p.channel, coalesce(g.error, 'all') AS error, g.title,
       coalesce(g.failed, 0) AS failed, p.attempted,
       round(100 * CAST(coalesce(g.failed, 0) AS DOUBLE) / p.attempted, 2) AS failure_rate_pct
FROM per_channel p
LEFT JOIN grouped g ON g.channel = p.channel
ORDER BY p.channel, CASE WHEN coalesce(g.error, 'all') = 'all' THEN 0 ELSE 1 END, failed DESC, error
