-- Volume by channel, weekday (1 = Monday) and hour (UTC): conversations started (a customer's first
-- live message) and customer messages. Imported history is left out.
WITH customer_messages AS (
  SELECT channel, occurred_weekday, occurred_hour,
         row_number() OVER (PARTITION BY conversation_key ORDER BY occurred_ms, message_id) AS nth
  FROM messages
  WHERE direction = 'inbound' AND origin = 'customer' AND occurred_ms IS NOT NULL
)
SELECT channel, occurred_weekday AS weekday, occurred_hour AS hour,
       sum(CASE WHEN nth = 1 THEN 1 ELSE 0 END) AS new_conversations,
       count(*) AS customer_messages
FROM customer_messages
GROUP BY channel, occurred_weekday, occurred_hour
ORDER BY channel, weekday, hour
