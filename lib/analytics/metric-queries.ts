import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the metric queries live; Athena's saved queries and the local report both read these files. */
export const METRIC_SQL_DIR = fileURLToPath(new URL('./sql/', import.meta.url));

export interface MetricQuery {
  /** File name without `.sql`; also the saved query's name in Athena. */
  readonly name: string;
  readonly title: string;
  /** One sentence for the report and the saved query's description. */
  readonly description: string;
}

export const METRIC_QUERIES: readonly MetricQuery[] = [
  {
    name: 'volume',
    title: 'Volume by channel, weekday and hour',
    description: 'Conversations started and customer messages per channel, weekday and hour (UTC); imported history excluded.',
  },
  {
    name: 'first_response_time',
    title: 'First response time',
    description: "Seconds from a conversation's first customer message to the first reply (bot or person), median and p90 by channel and hour.",
  },
  {
    name: 'bot_containment',
    title: 'Bot containment and handoff rate',
    description: 'Share of conversations the bot handled alone and share handed to a person, by channel.',
  },
  { name: 'handoff_reasons', title: 'Handoff reasons', description: 'Why conversations went to a person.' },
  { name: 'handling_time', title: 'Handling time', description: "Wait for a person's first reply and handling time from handoff to close, by channel." },
  {
    name: 'first_contact_resolution',
    title: 'First-contact resolution',
    description: 'Share of closed conversations the customer did not come back to within 7 days.',
  },
  { name: 'csat_distribution', title: 'Customer satisfaction', description: 'Answers to the 1–5 satisfaction question asked at close.' },
  {
    name: 'delivery_failures',
    title: 'Delivery failures by Meta error code',
    description: 'Share of business messages that failed, per channel and error code.',
  },
  {
    name: 'template_sends',
    title: 'Template sends by category',
    description: 'WhatsApp business messages by template category and by what Meta bills them as.',
  },
  {
    name: 'queue_performance',
    title: 'Queues',
    description:
      'Per contact-centre queue: conversations queued, taken and abandoned, first human response, wait, handling time (TMO), first-contact resolution, CSAT, first-response SLA met and transfers.',
  },
  {
    name: 'agent_performance',
    title: 'Agents',
    description:
      'Per agent, of the conversations they took: first human response, wait, handling time (TMO), first-contact resolution, CSAT, first-response SLA met, transfers received and customers who left.',
  },
  {
    name: 'queue_volume_by_hour',
    title: 'Queue volume by hour',
    description: 'Conversations queued per queue and hour of the day (UTC), with VIP, answered within the SLA and abandoned.',
  },
  {
    name: 'conversation_outcomes',
    title: 'Outcomes',
    description:
      "How conversations ended per day (UTC), channel and queue: a person's close with the outcome the agent picked, and the bot's end after the customer went quiet.",
  },
  {
    name: 'conversions_by_source',
    title: 'Conversions by ad and source',
    description:
      'Conversations whose customer first came from an ad, a post or a link (source, ad, headline, UTM), with contacts, conversions (`converted`), conversion rate and the share the bot resolved alone.',
  },
  {
    name: 'meta_spend',
    title: 'Meta spend',
    description:
      "Meta's charges for delivered WhatsApp business messages per business, account, category, recipient country and day, with free and unpriced messages counted apart (rate card in lambdas/pricing/).",
  },
  {
    name: 'meta_spend_per_resolution',
    title: 'Meta spend per resolved conversation',
    description: 'Per business: Meta spend, the conversations it went to, those resolved (by a person or the bot), and the spend per resolved conversation.',
  },
];

export function metricSql(name: string): string {
  return readFileSync(`${METRIC_SQL_DIR}${name}.sql`, 'utf8');
}
