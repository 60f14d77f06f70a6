-- Contact-centre figures per queue over the report period (conversations by the time they were
-- queued; the view routed_conversations holds the definitions): conversations queued and taken by
-- an agent, abandoned, first human response (median and p90, nearest rank), wait until an agent
-- took it, handling time (TMO, assigned to closed), first-contact resolution (closed `resolved` or `converted`
-- with no transfer, of those closed), CSAT, first-response SLA met, transfers. Times in seconds.
WITH frt_ranked AS (
  SELECT business_id, queue_id, frt_s,
         row_number() OVER (PARTITION BY business_id, queue_id ORDER BY frt_s) AS rank_no,
         count(*) OVER (PARTITION BY business_id, queue_id) AS total
  FROM routed_conversations
  WHERE frt_s IS NOT NULL
),
frt AS (
  SELECT business_id, queue_id,
         min(CASE WHEN rank_no >= ceil(0.5 * total) THEN frt_s END) AS frt_median_s,
         min(CASE WHEN rank_no >= ceil(0.9 * total) THEN frt_s END) AS frt_p90_s
  FROM frt_ranked
  GROUP BY business_id, queue_id
),
totals AS (
  SELECT business_id, queue_id,
         count(*) AS queued,
         sum(CASE WHEN is_vip THEN 1 ELSE 0 END) AS vip,
         sum(CASE WHEN agent_id IS NOT NULL THEN 1 ELSE 0 END) AS handled,
         sum(abandoned) AS abandoned,
         avg(wait_s) AS avg_wait_s,
         avg(handling_s) AS avg_handling_s,
         sum(closed) AS closed,
         sum(resolved_first_contact) AS resolved_first_contact,
         avg(CAST(csat_score AS DOUBLE)) AS csat_avg,
         count(csat_score) AS csat_responses,
         count(sla_met) AS sla_measured,
         sum(sla_met) AS sla_met,
         sum(CASE WHEN transfers > 0 THEN 1 ELSE 0 END) AS transferred,
         sum(transfers) AS transfers
  FROM routed_conversations
  GROUP BY business_id, queue_id
)
SELECT t.business_id, t.queue_id,
       coalesce(q.queue_name, t.queue_id) AS queue_name,
       t.queued, t.vip, t.handled, t.abandoned,
       round(100 * CAST(t.abandoned AS DOUBLE) / t.queued, 1) AS abandoned_pct,
       round(f.frt_median_s, 1) AS frt_median_s,
       round(f.frt_p90_s, 1) AS frt_p90_s,
       round(t.avg_wait_s, 1) AS avg_wait_s,
       round(t.avg_handling_s, 1) AS avg_handling_s,
       t.closed,
       round(100 * CAST(t.resolved_first_contact AS DOUBLE) / nullif(t.closed, 0), 1) AS fcr_pct,
       round(t.csat_avg, 2) AS csat_avg,
       t.csat_responses,
       round(100 * CAST(t.sla_met AS DOUBLE) / nullif(t.sla_measured, 0), 1) AS sla_met_pct,
       t.sla_measured,
       t.transferred,
       t.transfers
FROM totals t
LEFT JOIN frt f ON f.business_id = t.business_id AND f.queue_id = t.queue_id
LEFT JOIN routing_queues q ON q.business_id = t.business_id AND q.queue_id = t.queue_id
ORDER BY t.business_id, t.queued DESC, t.queue_id
