-- Meta's spend per resolved conversation, per business, in the report period (by the day each
-- message was priced): the spend on WhatsApp business messages delivered (meta_spend's definition),
-- the conversations it went to, how many of those were resolved (closed `resolved` or `converted`
-- by a person, or ended `resolved_by_bot`), and the spend divided by the resolved ones.
WITH spend AS (
  SELECT coalesce(a.business_id, 'unknown') AS business_id,
         m.conversation_key,
         sum(CASE WHEN m.meta_billable AND (m.delivered_ms IS NOT NULL OR m.status IN ('delivered', 'read', 'played')) THEN coalesce(m.meta_charge_usd, 0) ELSE 0 END) AS spend_usd
  FROM messages m
  LEFT JOIN accounts a ON a.account_id = m.account_id
  CROSS JOIN report_period p
  WHERE m.channel = 'whatsapp' AND m.direction = 'outbound' AND m.meta_priced_ms IS NOT NULL
    AND (p.from_ms IS NULL OR m.meta_priced_ms >= p.from_ms)
    AND (p.to_ms IS NULL OR m.meta_priced_ms < p.to_ms)
  GROUP BY coalesce(a.business_id, 'unknown'), m.conversation_key
),
judged AS (
  SELECT s.business_id, s.spend_usd,
         CASE WHEN c.close_outcome IN ('resolved', 'converted') OR c.end_outcome = 'resolved_by_bot' THEN 1 ELSE 0 END AS resolved
  FROM spend s
  LEFT JOIN conversations c ON c.conversation_key = s.conversation_key
)
SELECT business_id,
       count(*) AS conversations,
       sum(resolved) AS resolved,
       round(sum(spend_usd), 4) AS spend_usd,
       round(sum(CASE WHEN resolved = 1 THEN spend_usd ELSE 0 END), 4) AS resolved_spend_usd,
       CASE WHEN sum(resolved) > 0 THEN round(sum(spend_usd) / sum(resolved), 4) END AS spend_per_resolved_usd
FROM judged
GROUP BY business_id
ORDER BY business_id
