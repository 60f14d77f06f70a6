import { AwsServiceError } from '#lib/local-cloud/aws/aws-error';

/**
 * SQS errors as the JSON protocol sends them: the modern name in `__type` and the legacy query code in
 * `x-amzn-query-error`, which is what the SDK uses to pick the exception class.
 */
export const sqsErrors = {
  queueDoesNotExist: () =>
    new AwsServiceError('QueueDoesNotExist', 'The specified queue does not exist.', {
      queryErrorCode: 'AWS.SimpleQueueService.NonExistentQueue',
    }),
  queueNameExists: (name: string) =>
    new AwsServiceError('QueueNameExists', `A queue already exists with the same name (${name}) and different attributes.`, {
      queryErrorCode: 'QueueAlreadyExists',
    }),
  invalidParameterValue: (message: string) => new AwsServiceError('InvalidParameterValue', message, { queryErrorCode: 'InvalidParameterValue' }),
  missingParameter: (name: string) =>
    new AwsServiceError('MissingParameter', `The request must contain the parameter ${name}.`, {
      queryErrorCode: 'MissingParameter',
    }),
  invalidAttributeName: (name: string) => new AwsServiceError('InvalidAttributeName', `Unknown Attribute ${name}.`, { queryErrorCode: 'InvalidAttributeName' }),
  invalidAttributeValue: (message: string) => new AwsServiceError('InvalidAttributeValue', message, { queryErrorCode: 'InvalidAttributeValue' }),
  invalidMessageContents: () =>
    new AwsServiceError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
      {
        queryErrorCode: 'InvalidMessageContents',
      },
    ),
  receiptHandleIsInvalid: (handle: string) =>
    new AwsServiceError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, {
      statusCode: 404,
      queryErrorCode: 'ReceiptHandleIsInvalid',
    }),
  receiptHandleExpired: (handle: string) =>
    new AwsServiceError('InvalidParameterValue', `Value ${handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`, {
      queryErrorCode: 'InvalidParameterValue',
    }),
  messageNotInflight: () =>
    new AwsServiceError('MessageNotInflight', "The specified message isn't in flight.", {
      queryErrorCode: 'AWS.SimpleQueueService.MessageNotInflight',
    }),
  notAvailableForVisibilityChange: (handle: string) =>
    new AwsServiceError(
      'InvalidParameterValue',
      `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      { queryErrorCode: 'InvalidParameterValue' },
    ),
  purgeQueueInProgress: (name: string) =>
    new AwsServiceError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`, {
      statusCode: 403,
      queryErrorCode: 'AWS.SimpleQueueService.PurgeQueueInProgress',
    }),
  emptyBatchRequest: () =>
    new AwsServiceError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.', {
      queryErrorCode: 'AWS.SimpleQueueService.EmptyBatchRequest',
    }),
  tooManyEntriesInBatchRequest: (n: number) =>
    new AwsServiceError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${n}.`, {
      queryErrorCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    }),
  batchEntryIdsNotDistinct: (id: string) =>
    new AwsServiceError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`, {
      queryErrorCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    }),
  invalidBatchEntryId: () =>
    new AwsServiceError(
      'InvalidBatchEntryId',
      'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      { queryErrorCode: 'AWS.SimpleQueueService.InvalidBatchEntryId' },
    ),
  batchRequestTooLong: (total: number, limit: number) =>
    new AwsServiceError('BatchRequestTooLong', `Batch requests cannot be longer than ${limit} bytes. You have sent ${total} bytes.`, {
      queryErrorCode: 'AWS.SimpleQueueService.BatchRequestTooLong',
    }),
  resourceNotFound: (message: string) =>
    new AwsServiceError('ResourceNotFoundException', message, { statusCode: 404, queryErrorCode: 'ResourceNotFoundException' }),
  unsupportedOperation: (message: string) =>
    new AwsServiceError('UnsupportedOperation', message, { queryErrorCode: 'AWS.SimpleQueueService.UnsupportedOperation' }),
};
