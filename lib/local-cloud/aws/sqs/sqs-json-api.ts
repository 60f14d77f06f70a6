import { AwsServiceError } from '#lib/local-cloud/aws/aws-error';
import {
  optionalInt,
  optionalList,
  optionalObject,
  optionalString,
  optionalStringList,
  requiredString,
  type FieldErrors,
  type JsonInput,
} from '#lib/local-cloud/aws/http/json-input';
import { md5OfMessageAttributes, selectAttributes, toWireAttributes, type WireMessageAttribute } from '#lib/local-cloud/aws/sqs/message-attributes';
import type { QueueAttributeInput } from '#lib/local-cloud/aws/sqs/queue-settings';
import type { BatchFailure, SendMessageInput, SendMessageResult, SqsEngine } from '#lib/local-cloud/aws/sqs/sqs-engine';
import { sqsErrors } from '#lib/local-cloud/aws/sqs/sqs-errors';

export interface SqsCallContext {
  /** Access key id of the caller, reported as the messages' SenderId. */
  senderId: string | undefined;
  /** Aborted when the client goes away or the emulator closes, ending a long poll. */
  signal: AbortSignal;
}

export type SqsOperation = (input: JsonInput, ctx: SqsCallContext) => unknown;

const fieldErrors: FieldErrors = {
  missing: (name) => sqsErrors.missingParameter(name),
  invalid: (name, detail) => sqsErrors.invalidParameterValue(`Value for parameter ${name} is invalid. Reason: ${detail}.`),
};

const SYSTEM_ATTRIBUTE_NAMES = new Set([
  'All',
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
  'SqsManagedSseEnabled',
]);

/** The SQS operations over the AWS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.<Operation>`). */
export function sqsOperations(engine: SqsEngine): Record<string, SqsOperation> {
  const queueUrl = (input: JsonInput): string => requiredString(input, 'QueueUrl', fieldErrors);

  return {
    CreateQueue(input) {
      const name = requiredString(input, 'QueueName', fieldErrors);
      const attributes = (optionalObject(input, 'Attributes', fieldErrors) ?? {}) as QueueAttributeInput;
      return { QueueUrl: engine.createQueue(name, attributes).url };
    },
    GetQueueUrl(input) {
      return { QueueUrl: engine.getQueueUrl(requiredString(input, 'QueueName', fieldErrors)) };
    },
    ListQueues(input) {
      const prefix = optionalString(input, 'QueueNamePrefix', fieldErrors) ?? '';
      const maxResults = optionalInt(input, 'MaxResults', fieldErrors);
      const token = optionalString(input, 'NextToken', fieldErrors);
      const all = engine.listQueues(prefix);
      if (maxResults === undefined) return all.length > 0 ? { QueueUrls: all.slice(0, 1000) } : {};
      if (maxResults < 1 || maxResults > 1000)
        throw sqsErrors.invalidParameterValue('Value for parameter MaxResults is invalid. Reason: Must be between 1 and 1000.');
      const start = token ? Number(Buffer.from(token, 'base64').toString('utf8')) || 0 : 0;
      const page = all.slice(start, start + maxResults);
      const next = start + maxResults < all.length ? Buffer.from(String(start + maxResults)).toString('base64') : undefined;
      return { ...(page.length > 0 ? { QueueUrls: page } : {}), ...(next ? { NextToken: next } : {}) };
    },
    DeleteQueue(input) {
      engine.deleteQueue(queueUrl(input));
      return {};
    },
    PurgeQueue(input) {
      engine.purgeQueue(queueUrl(input));
      return {};
    },
    GetQueueAttributes(input) {
      const names = optionalStringList(input, 'AttributeNames', fieldErrors) ?? [];
      // With no names asked for, SQS returns no attributes at all.
      if (names.length === 0) {
        engine.resolve(queueUrl(input));
        return {};
      }
      return { Attributes: engine.getQueueAttributes(queueUrl(input), names) };
    },
    SetQueueAttributes(input) {
      const attributes = optionalObject(input, 'Attributes', fieldErrors);
      if (!attributes) throw sqsErrors.missingParameter('Attributes');
      engine.setQueueAttributes(queueUrl(input), attributes as QueueAttributeInput);
      return {};
    },
    SendMessage(input, ctx) {
      const result = engine.sendMessage(queueUrl(input), toSendInput(input, ctx));
      return sendResultToWire(result);
    },
    SendMessageBatch(input, ctx) {
      const entries = optionalList(input, 'Entries', fieldErrors) ?? [];
      const parsed = entries.map((e) => ({ ...toSendInput(e, ctx, true), id: (e.Id as string) ?? '' }));
      const out = engine.sendMessageBatch(queueUrl(input), parsed);
      return {
        Successful: out.successful.map((s) => ({ Id: s.id, ...sendResultToWire(s) })),
        Failed: out.failed.map(failureToWire),
      };
    },
    async ReceiveMessage(input, ctx) {
      // The deprecated AttributeNames list is typed as queue attribute names; names that are not message
      // attributes there are ignored. The current MessageSystemAttributeNames list is checked.
      const legacyNames = optionalStringList(input, 'AttributeNames', fieldErrors) ?? [];
      const currentNames = optionalStringList(input, 'MessageSystemAttributeNames', fieldErrors) ?? [];
      for (const n of currentNames) {
        if (!SYSTEM_ATTRIBUTE_NAMES.has(n)) throw sqsErrors.invalidAttributeName(n);
      }
      const systemNames = [...legacyNames.filter((n) => SYSTEM_ATTRIBUTE_NAMES.has(n)), ...currentNames];
      const userNames = optionalStringList(input, 'MessageAttributeNames', fieldErrors);
      const received = await engine.receiveMessages(queueUrl(input), {
        maxNumberOfMessages: optionalInt(input, 'MaxNumberOfMessages', fieldErrors),
        visibilityTimeoutSeconds: optionalInt(input, 'VisibilityTimeout', fieldErrors),
        waitTimeSeconds: optionalInt(input, 'WaitTimeSeconds', fieldErrors),
        signal: ctx.signal,
      });
      if (received.length === 0) return {};
      return {
        Messages: received.map((m) => {
          const attrs = selectSystemAttributes(m.attributes, systemNames);
          const userAttrs = selectAttributes(m.messageAttributes, userNames);
          const md5 = md5OfMessageAttributes(userAttrs);
          return {
            MessageId: m.messageId,
            ReceiptHandle: m.receiptHandle,
            MD5OfBody: m.md5OfBody,
            Body: m.body,
            ...(Object.keys(attrs).length > 0 ? { Attributes: attrs } : {}),
            ...(md5 ? { MD5OfMessageAttributes: md5, MessageAttributes: toWireAttributes(userAttrs) } : {}),
          };
        }),
      };
    },
    DeleteMessage(input) {
      engine.deleteMessage(queueUrl(input), requiredString(input, 'ReceiptHandle', fieldErrors));
      return {};
    },
    DeleteMessageBatch(input) {
      const entries = (optionalList(input, 'Entries', fieldErrors) ?? []).map((e) => ({
        id: (e.Id as string) ?? '',
        receiptHandle: requiredString(e, 'ReceiptHandle', fieldErrors),
      }));
      const out = engine.deleteMessageBatch(queueUrl(input), entries);
      return { Successful: out.successful.map((s) => ({ Id: s.id })), Failed: out.failed.map(failureToWire) };
    },
    ChangeMessageVisibility(input) {
      const timeout = optionalInt(input, 'VisibilityTimeout', fieldErrors);
      if (timeout === undefined) throw sqsErrors.missingParameter('VisibilityTimeout');
      engine.changeMessageVisibility(queueUrl(input), requiredString(input, 'ReceiptHandle', fieldErrors), timeout);
      return {};
    },
    ChangeMessageVisibilityBatch(input) {
      const entries = (optionalList(input, 'Entries', fieldErrors) ?? []).map((e) => ({
        id: (e.Id as string) ?? '',
        receiptHandle: requiredString(e, 'ReceiptHandle', fieldErrors),
        visibilityTimeoutSeconds: optionalInt(e, 'VisibilityTimeout', fieldErrors) ?? 0,
      }));
      const out = engine.changeMessageVisibilityBatch(queueUrl(input), entries);
      return { Successful: out.successful.map((s) => ({ Id: s.id })), Failed: out.failed.map(failureToWire) };
    },
    StartMessageMoveTask(input) {
      const destinationArn = optionalString(input, 'DestinationArn', fieldErrors);
      const rate = optionalInt(input, 'MaxNumberOfMessagesPerSecond', fieldErrors);
      const out = engine.startMessageMoveTask({
        sourceArn: requiredString(input, 'SourceArn', fieldErrors),
        ...(destinationArn !== undefined ? { destinationArn } : {}),
        ...(rate !== undefined ? { maxNumberOfMessagesPerSecond: rate } : {}),
      });
      return { TaskHandle: out.taskHandle };
    },
    ListMessageMoveTasks(input) {
      const tasks = engine.listMessageMoveTasks(requiredString(input, 'SourceArn', fieldErrors), optionalInt(input, 'MaxResults', fieldErrors) ?? 1);
      return {
        Results: tasks.map((t) => ({
          ...(t.status === 'RUNNING' ? { TaskHandle: t.taskHandle } : {}),
          Status: t.status,
          SourceArn: t.sourceArn,
          ...(t.destinationArn !== undefined ? { DestinationArn: t.destinationArn } : {}),
          ...(t.maxNumberOfMessagesPerSecond !== undefined ? { MaxNumberOfMessagesPerSecond: t.maxNumberOfMessagesPerSecond } : {}),
          ApproximateNumberOfMessagesMoved: t.approximateNumberOfMessagesMoved,
          ApproximateNumberOfMessagesToMove: t.approximateNumberOfMessagesToMove,
          ...(t.failureReason !== undefined ? { FailureReason: t.failureReason } : {}),
          StartedTimestamp: t.startedTimestamp,
        })),
      };
    },
    CancelMessageMoveTask(input) {
      const out = engine.cancelMessageMoveTask(requiredString(input, 'TaskHandle', fieldErrors));
      return { ApproximateNumberOfMessagesMoved: out.approximateNumberOfMessagesMoved };
    },
  };
}

function toSendInput(input: JsonInput, ctx: SqsCallContext, inBatch = false): SendMessageInput {
  const body = input.MessageBody;
  if (!inBatch && (body === undefined || body === null || body === '')) throw sqsErrors.missingParameter('MessageBody');
  const delay = optionalInt(input, 'DelaySeconds', fieldErrors);
  const groupId = optionalString(input, 'MessageGroupId', fieldErrors);
  const dedupId = optionalString(input, 'MessageDeduplicationId', fieldErrors);
  const attrs = optionalObject(input, 'MessageAttributes', fieldErrors);
  const systemAttrs = optionalObject(input, 'MessageSystemAttributes', fieldErrors);
  return {
    body: typeof body === 'string' ? body : '',
    ...(delay !== undefined ? { delaySeconds: delay } : {}),
    ...(groupId !== undefined ? { messageGroupId: groupId } : {}),
    ...(dedupId !== undefined ? { messageDeduplicationId: dedupId } : {}),
    ...(attrs ? { messageAttributes: attrs as Record<string, WireMessageAttribute> } : {}),
    ...(systemAttrs ? { messageSystemAttributes: systemAttrs as Record<string, WireMessageAttribute> } : {}),
    ...(ctx.senderId !== undefined ? { senderId: ctx.senderId } : {}),
  };
}

function sendResultToWire(r: SendMessageResult): Record<string, string> {
  return {
    MessageId: r.messageId,
    MD5OfMessageBody: r.md5OfMessageBody,
    ...(r.md5OfMessageAttributes ? { MD5OfMessageAttributes: r.md5OfMessageAttributes } : {}),
    ...(r.md5OfMessageSystemAttributes ? { MD5OfMessageSystemAttributes: r.md5OfMessageSystemAttributes } : {}),
    ...(r.sequenceNumber ? { SequenceNumber: r.sequenceNumber } : {}),
  };
}

function failureToWire(f: BatchFailure): Record<string, unknown> {
  return { Id: f.id, SenderFault: f.senderFault, Code: f.code, Message: f.message };
}

function selectSystemAttributes(all: Record<string, string>, names: readonly string[]): Record<string, string> {
  if (names.includes('All')) return { ...all };
  const out: Record<string, string> = {};
  for (const n of names) if (all[n] !== undefined) out[n] = all[n];
  return out;
}

export const SQS_ERROR_NAMESPACE = 'com.amazonaws.sqs';

export function unknownSqsOperation(name: string): AwsServiceError {
  return new AwsServiceError('UnsupportedOperation', `The emulator does not implement SQS ${name}.`, {
    queryErrorCode: 'AWS.SimpleQueueService.UnsupportedOperation',
  });
}
