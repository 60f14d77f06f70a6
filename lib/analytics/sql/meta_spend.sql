-- Meta's charges for WhatsApp business messages, per business, account, category, recipient country
-- and day (UTC) the message was priced, in the report period. Each message carries its price once
-- (lambdas/pricing/): Meta charges a message when it is delivered, so `charged` counts only priced
-- messages that reached delivered (or later); free ones (free_customer_service, free_entry_point,
-- billable false) are counted apart at 0; `unpriced` are billable messages the rate card has no
-- rate for (or conversation-based ones, charged per conversation), left out of `spend_usd`.
WITH priced AS (
  SELECT coalesce(a.business_id, 'unknown') AS business_id,
         m.account_id,
         m.meta_priced_day AS day,
         m.meta_category AS category,
         coalesce(m.recipient_country, 'unknown') AS country,
         m.meta_billable AS billable,
         m.meta_charge_usd AS charge_usd,
         CASE WHEN m.delivered_ms IS NOT NULL OR m.status IN ('delivered', 'read', 'played') THEN 1 ELSE 0 END AS delivered
  FROM messages m
  LEFT JOIN accounts a ON a.account_id = m.account_id
  CROSS JOIN report_period p
  WHERE m.channel = 'whatsapp' AND m.direction = 'outbound' AND m.meta_priced_ms IS NOT NULL
    AND (p.from_ms IS NULL OR m.meta_priced_ms >= p.from_ms)
    AND (p.to_ms IS NULL OR m.meta_priced_ms < p.to_ms)
)
SELECT business_id, account_id, day, category, country,
       sum(CASE WHEN billable AND charge_usd IS NOT NULL AND delivered = 1 THEN 1 ELSE 0 END) AS charged,
       sum(CASE WHEN NOT billable THEN 1 ELSE 0 END) AS free,
       sum(CASE WHEN billable AND charge_usd IS NULL THEN 1 ELSE 0 END) AS unpriced,
       round(coalesce(sum(CASE WHEN billable AND delivered = 1 THEN charge_usd END), 0), 4) AS spend_usd
FROM priced
GROUP BY business_id, account_id, day, category, country
ORDER BY business_id, account_id, day, category, country
