-- Why conversations went to a person (the reason recorded with the handoff).
SELECT coalesce(handoff_reason, 'unknown') AS reason,
       count(*) AS conversations,
       round(100 * CAST(count(*) AS DOUBLE) / sum(count(*)) OVER (), 1) AS share_pct
FROM conversations
WHERE handoff_requested_ms IS NOT NULL
GROUP BY coalesce(handoff_reason, 'unknown')
ORDER BY conversations DESC, reason
