// Child process of the ingress benchmark: the local AWS emulation, so its CPU is not counted
// against the webhook handler being measured.
import { startAwsEmulator } from '#lib/local-cloud/aws/aws-emulator';

const appSecret = process.argv[2] ?? 'bench-app-secret';
const aws = await startAwsEmulator({ port: 0 });
const queue = aws.sqs.createQueue('bench-ingress.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'false' });
aws.secrets.putSecret('bench/meta-app-secret', { appSecret, verifyToken: 'bench' });
// The benchmark sends the same body many times: the FIFO deduplication window keeps one copy,
// so the queue stays small without purging.
process.stdout.write(`${JSON.stringify({ endpoint: aws.endpoint, queueUrl: queue.url })}\n`);
