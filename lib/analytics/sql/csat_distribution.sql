-- Satisfaction answers (1–5) of closed conversations: how many gave each score and its share.
-- `asked` is how many conversations were sent the question, the same on every row.
WITH scores AS (
  SELECT score FROM (VALUES (1), (2), (3), (4), (5)) AS s(score)
),
answers AS (
  SELECT csat_score FROM conversations WHERE csat_score BETWEEN 1 AND 5
),
totals AS (
  SELECT (SELECT count(*) FROM answers) AS answered,
         (SELECT count(*) FROM conversations WHERE csat_requested_ms IS NOT NULL) AS asked
)
SELECT s.score,
       count(a.csat_score) AS responses,
       round(100 * CAST(count(a.csat_score) AS DOUBLE) / nullif(max(t.answered), 0), 1) AS share_pct,
       max(t.asked) AS asked
FROM scores s
CROSS JOIN totals t
LEFT JOIN answers a ON a.csat_score = s.score
GROUP BY s.score
ORDER BY s.score
