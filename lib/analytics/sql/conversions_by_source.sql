-- Conversions by ad and source, per business: the conversations (started in the report period)
-- whose customer first came from an ad, a post or a link (the contact's first touch: source, ad,
-- headline, UTM source/medium/campaign; a conversation without a known contact falls back to its own
-- first referral), with how many contacts they were, the conversions (closed or marked `converted`),
-- the conversion rate, and the share the bot resolved on its own (`resolved_by_bot`).
WITH profiles AS (
  SELECT contact_id, merged_into, first_touch_source, first_touch_ad_id, first_touch_headline, utm_source, utm_medium, utm_campaign
  FROM contacts
),
touches AS (
  -- A contact merged into another reads the survivor's first touch (a merge keeps the earliest).
  SELECT p.contact_id,
         CASE WHEN s.contact_id IS NOT NULL THEN s.first_touch_source ELSE p.first_touch_source END AS source,
         CASE WHEN s.contact_id IS NOT NULL THEN s.first_touch_ad_id ELSE p.first_touch_ad_id END AS ad_id,
         CASE WHEN s.contact_id IS NOT NULL THEN s.first_touch_headline ELSE p.first_touch_headline END AS headline,
         CASE WHEN s.contact_id IS NOT NULL THEN s.utm_source ELSE p.utm_source END AS utm_source,
         CASE WHEN s.contact_id IS NOT NULL THEN s.utm_medium ELSE p.utm_medium END AS utm_medium,
         CASE WHEN s.contact_id IS NOT NULL THEN s.utm_campaign ELSE p.utm_campaign END AS utm_campaign
  FROM profiles p
  LEFT JOIN profiles s ON s.contact_id = p.merged_into
),
referrals AS (
  SELECT conversation_key, referral_source, referral_ad_id, referral_headline,
         row_number() OVER (PARTITION BY conversation_key ORDER BY occurred_ms, message_id) AS n
  FROM messages
  WHERE direction = 'inbound' AND origin = 'customer' AND (referral_source IS NOT NULL OR referral_ad_id IS NOT NULL)
),
attributed AS (
  SELECT coalesce(c.business_id, a.business_id, 'unknown') AS business_id,
         c.conversation_key,
         c.contact_id,
         -- Meta names an ad `ad` (WhatsApp) or `ADS` (Instagram, Messenger); contacts store `ad` (contacts/first-touch.ts).
         CASE WHEN t.contact_id IS NOT NULL THEN t.source
              WHEN lower(r.referral_source) IN ('ad', 'ads') THEN 'ad'
              ELSE lower(r.referral_source) END AS source,
         CASE WHEN t.contact_id IS NOT NULL THEN t.ad_id ELSE r.referral_ad_id END AS ad_id,
         CASE WHEN t.contact_id IS NOT NULL THEN t.headline ELSE r.referral_headline END AS headline,
         t.utm_source, t.utm_medium, t.utm_campaign,
         CASE WHEN c.close_outcome = 'converted' OR c.outcome = 'converted' THEN 1 ELSE 0 END AS converted,
         CASE WHEN c.end_outcome = 'resolved_by_bot' THEN 1 ELSE 0 END AS resolved_by_bot
  FROM conversations c
  LEFT JOIN accounts a ON a.account_id = c.account_id
  LEFT JOIN touches t ON t.contact_id = c.contact_id
  LEFT JOIN referrals r ON r.conversation_key = c.conversation_key AND r.n = 1
  CROSS JOIN report_period p
  WHERE (p.from_ms IS NULL OR c.created_ms >= p.from_ms)
    AND (p.to_ms IS NULL OR c.created_ms < p.to_ms)
)
SELECT business_id, source, ad_id, headline, utm_source, utm_medium, utm_campaign,
       count(*) AS conversations,
       count(DISTINCT contact_id) AS contacts,
       sum(converted) AS conversions,
       round(100 * CAST(sum(converted) AS DOUBLE) / count(*), 1) AS conversion_pct,
       round(100 * CAST(sum(resolved_by_bot) AS DOUBLE) / count(*), 1) AS resolved_by_bot_pct
FROM attributed
WHERE source IS NOT NULL OR ad_id IS NOT NULL OR utm_source IS NOT NULL OR utm_campaign IS NOT NULL
GROUP BY business_id, source, ad_id, headline, utm_source, utm_medium, utm_campaign
ORDER BY business_id, conversations DESC, conversions DESC, source, ad_id, utm_campaign
