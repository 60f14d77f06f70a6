-- Contact-centre figures per agent over the report period, of the conversations the agent took
-- (the agent assigned at the end: after a transfer, the one who received it): handled, first human
-- response from queuing (median and p90, nearest rank), wait until taken, handling time (TMO,
-- assigned to closed), first-contact resolution (closed `resolved` or `converted` with no transfer, of those
-- closed), CSAT, first-response SLA met, conversations that reached the agent through a transfer,
-- and those the customer left (closed `no_response`). Times in seconds.
WITH taken AS (
  SELECT * FROM routed_conversations WHERE agent_id IS NOT NULL
),
frt_ranked AS (
  SELECT business_id, agent_id, frt_s,
         row_number() OVER (PARTITION BY business_id, agent_id ORDER BY frt_s) AS rank_no,
         count(*) OVER (PARTITION BY business_id, agent_id) AS total
  FROM taken
  WHERE frt_s IS NOT NULL
),
frt AS (
  SELECT business_id, agent_id,
         min(CASE WHEN rank_no >= ceil(0.5 * total) THEN frt_s END) AS frt_median_s,
         min(CASE WHEN rank_no >= ceil(0.9 * total) THEN frt_s END) AS frt_p90_s
  FROM frt_ranked
  GROUP BY business_id, agent_id
),
totals AS (
  SELECT business_id, agent_id,
         count(*) AS handled,
         sum(CASE WHEN is_vip THEN 1 ELSE 0 END) AS vip,
         avg(wait_s) AS avg_wait_s,
         avg(handling_s) AS avg_handling_s,
         sum(closed) AS closed,
         sum(resolved_first_contact) AS resolved_first_contact,
         sum(abandoned) AS abandoned,
         avg(CAST(csat_score AS DOUBLE)) AS csat_avg,
         count(csat_score) AS csat_responses,
         count(sla_met) AS sla_measured,
         sum(sla_met) AS sla_met,
         sum(CASE WHEN transfers > 0 THEN 1 ELSE 0 END) AS transferred_in
  FROM taken
  GROUP BY business_id, agent_id
)
SELECT t.business_id, t.agent_id,
       coalesce(g.agent_name, t.agent_id) AS agent_name,
       t.handled, t.vip,
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
       t.transferred_in,
       t.abandoned
FROM totals t
LEFT JOIN frt f ON f.business_id = t.business_id AND f.agent_id = t.agent_id
LEFT JOIN routing_agents g ON g.business_id = t.business_id AND g.agent_id = t.agent_id
ORDER BY t.business_id, t.handled DESC, t.agent_id
