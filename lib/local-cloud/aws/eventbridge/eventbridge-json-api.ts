import {
  optionalList,
  optionalObject,
  optionalString,
  optionalStringList,
  requiredString,
  type FieldErrors,
  type JsonInput,
} from '#lib/local-cloud/aws/http/json-input';
import { isAwsServiceError } from '#lib/local-cloud/aws/aws-error';
import { eventBridgeValidationError, type EventBridgeEngine, type PutEventsEntry } from '#lib/local-cloud/aws/eventbridge/eventbridge-engine';

const fieldErrors: FieldErrors = {
  missing: (name) =>
    eventBridgeValidationError(`1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`),
  invalid: (name, detail) => eventBridgeValidationError(`Value at '${name}' ${detail}.`),
};

/** EventBridge over AWS JSON 1.1 (`X-Amz-Target: AWSEvents.<Operation>`). */
export function eventBridgeOperations(engine: EventBridgeEngine): Record<string, (input: JsonInput) => unknown> {
  return {
    PutEvents(input) {
      const entries = optionalList(input, 'Entries', fieldErrors);
      if (!entries) throw fieldErrors.missing('Entries');
      const parsed: PutEventsEntry[] = entries.map((e) => {
        const time = e.Time;
        const source = optionalString(e, 'Source', fieldErrors);
        const detailType = optionalString(e, 'DetailType', fieldErrors);
        const detail = optionalString(e, 'Detail', fieldErrors);
        const bus = optionalString(e, 'EventBusName', fieldErrors);
        const resources = optionalStringList(e, 'Resources', fieldErrors);
        return {
          ...(source !== undefined ? { source } : {}),
          ...(detailType !== undefined ? { detailType } : {}),
          ...(detail !== undefined ? { detail } : {}),
          ...(bus !== undefined ? { eventBusName: bus } : {}),
          ...(resources !== undefined ? { resources } : {}),
          // JSON 1.1 sends timestamps as epoch seconds.
          ...(typeof time === 'number' ? { time: time * 1000 } : typeof time === 'string' ? { time } : {}),
        };
      });
      const out = engine.putEvents(parsed);
      return {
        FailedEntryCount: out.failedEntryCount,
        Entries: out.entries.map((r) => ('eventId' in r ? { EventId: r.eventId } : { ErrorCode: r.errorCode, ErrorMessage: r.errorMessage })),
      };
    },
    CreateEventBus(input) {
      return { EventBusArn: engine.createEventBus(requiredString(input, 'Name', fieldErrors)).arn };
    },
    PutRule(input) {
      const pattern = optionalString(input, 'EventPattern', fieldErrors);
      if (pattern === undefined) throw eventBridgeValidationError('Parameter(s) EventPattern must be specified (schedules are not emulated).');
      const state = optionalString(input, 'State', fieldErrors);
      const rule = engine.putRule(optionalString(input, 'EventBusName', fieldErrors) ?? 'default', requiredString(input, 'Name', fieldErrors), pattern, {
        enabled: state !== 'DISABLED',
      });
      return { RuleArn: rule.arn };
    },
    PutTargets(input) {
      const rule = engine.ruleRef(optionalString(input, 'EventBusName', fieldErrors) ?? 'default', requiredString(input, 'Rule', fieldErrors));
      const targets = optionalList(input, 'Targets', fieldErrors) ?? [];
      const failed: Record<string, string>[] = [];
      for (const t of targets) {
        const id = requiredString(t, 'Id', fieldErrors);
        try {
          const sqsParameters = optionalObject(t, 'SqsParameters', fieldErrors);
          const retry = optionalObject(t, 'RetryPolicy', fieldErrors);
          const dlq = optionalObject(t, 'DeadLetterConfig', fieldErrors);
          engine.putTarget(rule, {
            id,
            arn: requiredString(t, 'Arn', fieldErrors),
            ...(typeof sqsParameters?.MessageGroupId === 'string' ? { messageGroupId: sqsParameters.MessageGroupId } : {}),
            ...(retry
              ? {
                  retryPolicy: {
                    ...(typeof retry.MaximumRetryAttempts === 'number' ? { maximumRetryAttempts: retry.MaximumRetryAttempts } : {}),
                    ...(typeof retry.MaximumEventAgeInSeconds === 'number' ? { maximumEventAgeInSeconds: retry.MaximumEventAgeInSeconds } : {}),
                  },
                }
              : {}),
            ...(typeof dlq?.Arn === 'string' ? { deadLetterQueue: { arn: dlq.Arn } } : {}),
          });
        } catch (err) {
          if (!isAwsServiceError(err)) throw err;
          failed.push({ TargetId: id, ErrorCode: err.code, ErrorMessage: err.message });
        }
      }
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },
    TestEventPattern(input) {
      const pattern = requiredString(input, 'EventPattern', fieldErrors);
      const eventText = requiredString(input, 'Event', fieldErrors);
      let event: unknown;
      try {
        event = JSON.parse(eventText);
      } catch {
        throw eventBridgeValidationError('Parameter Event is not valid.');
      }
      return { Result: engine.testEventPattern(pattern, event) };
    },
  };
}
