/**
 * AWS list prices used by `npm run bench:cost`: us-east-1, on-demand, no free tier, first pricing
 * tier of each service. Taken from the AWS pricing pages as they stood in 2025 (DynamoDB's on-demand
 * prices after the November 2024 cut); this machine has no network, so re-check them on
 * https://aws.amazon.com/pricing before quoting the figures.
 */
export const PRICES_AS_OF = '2025 (AWS pricing pages, us-east-1, on-demand; DynamoDB after the 2024-11-01 cut)';

export const PRICES = {
  /** HTTP API, first 300 million requests a month, per request (metered per 512 KB). */
  apiGatewayHttpRequest: 1.0 / 1e6,
  /** Lambda requests. */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda duration on Arm (Graviton), per GB-second; every function of the stack is arm64. */
  lambdaArmGbSecond: 0.0000133334,
  /** SQS standard queue requests, per 64 KB chunk. */
  sqsStandardRequest: 0.4 / 1e6,
  /** SQS FIFO queue requests, per 64 KB chunk. */
  sqsFifoRequest: 0.5 / 1e6,
  /** EventBridge custom events published, per 64 KB chunk of an entry. Delivery to targets is free. */
  eventBridgeEntry: 1.0 / 1e6,
  /** DynamoDB on-demand write request unit. */
  dynamoDbWriteUnit: 0.625 / 1e6,
  /** DynamoDB on-demand read request unit. */
  dynamoDbReadUnit: 0.125 / 1e6,
  /** Secrets Manager API calls ($0.05 per 10,000). */
  secretsManagerCall: 0.05 / 1e4,
  /** S3 Standard PUT and GET requests (claim checks only). */
  s3Put: 0.005 / 1e3,
  s3Get: 0.0004 / 1e3,
  /** CloudWatch Logs ingestion (standard class), per byte. Not part of the target; shown beside it. */
  cloudWatchLogsIngestedByte: 0.5 / 1024 ** 3,
} as const;

/** A paid provider's platform fee per message, the comparison the issue asks for. */
export const PROVIDER_FEE_PER_MESSAGE = 0.005;
/** The target: AWS cost per 1,000 round trips, excluding Meta's and Anthropic's charges. */
export const TARGET_PER_THOUSAND = 0.025;

/**
 * What the fixed shape costs per round trip before anything is stored or computed: each webhook is
 * an API Gateway request, a webhook invocation, an ingress FIFO send, receive and delete and a
 * normalizer invocation; each event a consumer acts on is an EventBridge entry, its delivery to
 * the consumer's queue, a receive, a delete and an invocation. Batching is left out (one message
 * per poll, as when customers write one at a time), and so are DynamoDB and Lambda duration.
 */
export function fixedPathFloor(webhooksPerRoundTrip: number, eventsPerRoundTrip: number): number {
  const perWebhook = PRICES.apiGatewayHttpRequest + 2 * PRICES.lambdaRequest + 3 * PRICES.sqsFifoRequest;
  const perEvent = PRICES.eventBridgeEntry + 3 * PRICES.sqsStandardRequest + PRICES.lambdaRequest;
  return webhooksPerRoundTrip * perWebhook + eventsPerRoundTrip * perEvent;
}

export function priceTable(): string {
  const rows: Array<[string, string]> = [
    ['API Gateway HTTP API', `$${(PRICES.apiGatewayHttpRequest * 1e6).toFixed(2)} per million requests`],
    ['Lambda requests', `$${(PRICES.lambdaRequest * 1e6).toFixed(2)} per million`],
    ['Lambda duration (arm64)', `$${PRICES.lambdaArmGbSecond.toFixed(10)} per GB-s`],
    ['SQS standard', `$${(PRICES.sqsStandardRequest * 1e6).toFixed(2)} per million requests (64 KB chunks)`],
    ['SQS FIFO', `$${(PRICES.sqsFifoRequest * 1e6).toFixed(2)} per million requests (64 KB chunks)`],
    ['EventBridge custom events', `$${(PRICES.eventBridgeEntry * 1e6).toFixed(2)} per million entries (64 KB chunks)`],
    ['DynamoDB on-demand writes', `$${(PRICES.dynamoDbWriteUnit * 1e6).toFixed(3)} per million write request units`],
    ['DynamoDB on-demand reads', `$${(PRICES.dynamoDbReadUnit * 1e6).toFixed(3)} per million read request units`],
    ['Secrets Manager', `$${(PRICES.secretsManagerCall * 1e4).toFixed(2)} per 10,000 API calls`],
    ['S3 Standard', `$${(PRICES.s3Put * 1e3).toFixed(4)} per 1,000 PUT, $${(PRICES.s3Get * 1e3).toFixed(4)} per 1,000 GET`],
    ['CloudWatch Logs ingestion', `$${(PRICES.cloudWatchLogsIngestedByte * 1024 ** 3).toFixed(2)} per GB (shown apart)`],
  ];
  const width = Math.max(...rows.map(([a]) => a.length));
  return [`AWS list prices, ${PRICES_AS_OF}:`, ...rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`)].join('\n');
}
