import { marketOf, type RateCard } from '#lambdas/pricing/rate-card';

/** The markets the cost bench compares Meta's charge in. */
export const REFERENCE_MARKETS = [
  { country: 'BR', name: 'Brazil' },
  { country: 'MX', name: 'Mexico' },
  { country: 'CO', name: 'Colombia' },
  { country: 'US', name: 'United States' },
] as const;

/** The day Meta starts charging service messages (free since November 2024) per message. */
export const SERVICE_CHARGED_FROM = '2026-10-01';

const perThousand = (rate: number | undefined) => (rate === undefined ? 'no rate in the card' : `$${(rate * 1000).toFixed(2)}`);

/**
 * Lines for the cost bench: what Meta charges per 1,000 round trips in each reference market,
 * beside AWS's figure. A round trip's reply is a bot reply inside the customer service window, a
 * service message: free (`free_customer_service`) until SERVICE_CHARGED_FROM, then charged per
 * message at the market's service rate.
 */
export function metaChargeLines(card: RateCard, awsPerThousand: number, today = new Date().toISOString().slice(0, 10)): string[] {
  const charged = today >= SERVICE_CHARGED_FROM;
  const lines = [
    `\nMeta's charge per 1,000 round trips, for reference (rate card effective ${card.effectiveDate}${card.snapshot ? ', a snapshot to update' : ''}; AWS: $${awsPerThousand.toFixed(5)}):`,
    `  Each round trip's reply is a bot reply inside the 24-hour customer service window: a service message. Meta prices it as`,
    `  free_customer_service (free) until ${SERVICE_CHARGED_FROM}, and from ${SERVICE_CHARGED_FROM} per message at the market's service rate` +
      ` (today, ${today}: ${charged ? 'the service rate applies' : 'free'}).`,
  ];
  for (const { country, name } of REFERENCE_MARKETS) {
    const { key, market } = marketOf(card, country);
    const service = market.rates.service;
    const now = charged ? perThousand(service) : '$0.00 (free)';
    lines.push(
      `  ${name.padEnd(14)} service now ${now.padEnd(20)} from ${SERVICE_CHARGED_FROM} ${perThousand(service).padEnd(20)}` +
        ` (utility template ${perThousand(market.rates.utility)}, marketing ${perThousand(market.rates.marketing)}; market ${key})`,
    );
  }
  return lines;
}
