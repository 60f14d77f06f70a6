-- WhatsApp business messages by what Meta bills them as: templates by their category, free-form
-- replies as service. `billable` is Meta's own flag from the status webhooks (per-message pricing);
-- `delivered` counts messages whose latest status is delivered or later (a later failure wins).
SELECT CASE WHEN type = 'template' THEN 'template' ELSE 'free-form' END AS kind,
       coalesce(template_category, '-') AS template_category,
       coalesce(pricing_category, 'not reported') AS pricing_category,
       count(*) AS sends,
       sum(CASE WHEN billable THEN 1 ELSE 0 END) AS billable_sends,
       sum(CASE WHEN status IN ('delivered', 'read', 'played') THEN 1 ELSE 0 END) AS delivered,
       sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed
FROM messages
WHERE direction = 'outbound' AND channel = 'whatsapp' AND origin IN ('agent', 'human_agent', 'campaign')
  AND status IN ('sent', 'delivered', 'read', 'played', 'failed')
GROUP BY CASE WHEN type = 'template' THEN 'template' ELSE 'free-form' END, coalesce(template_category, '-'), coalesce(pricing_category, 'not reported')
ORDER BY kind DESC, billable_sends DESC, sends DESC
