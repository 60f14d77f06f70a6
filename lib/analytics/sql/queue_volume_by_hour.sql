-- Conversations queued per queue and hour of the day (UTC) over the report period, with how many
-- were VIP, how many a person answered within the first-response SLA, and how many were abandoned.
SELECT business_id, queue_id, queued_hour AS hour,
       count(*) AS queued,
       sum(CASE WHEN is_vip THEN 1 ELSE 0 END) AS vip,
       sum(CASE WHEN sla_met = 1 THEN 1 ELSE 0 END) AS within_sla,
       sum(abandoned) AS abandoned
FROM routed_conversations
GROUP BY business_id, queue_id, queued_hour
ORDER BY business_id, queue_id, hour
