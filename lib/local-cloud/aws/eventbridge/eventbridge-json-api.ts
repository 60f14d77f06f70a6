import {
  optionalInt,
  optionalList,
  optionalObject,
  optionalString,
  optionalStringList,
  requiredString,
  type JsonInput,
} from '#lib/local-cloud/aws/http/json-input';
import { isAwsServiceError } from '#lib/local-cloud/aws/aws-error';
import {
  eventBridgeValidationError,
  type ArchiveDescription,
  type EventBridgeEngine,
  type PutEventsEntry,
  type ReplayDescription,
  type TargetSpec,
} from '#lib/local-cloud/aws/eventbridge/eventbridge-engine';
import { connectionOperations } from '#lib/local-cloud/aws/eventbridge/connections-json-api';
import { epochSeconds, fieldErrors } from '#lib/local-cloud/aws/eventbridge/eventbridge-wire';

/** EventBridge over AWS JSON 1.1 (`X-Amz-Target: AWSEvents.<Operation>`). */
export function eventBridgeOperations(engine: EventBridgeEngine): Record<string, (input: JsonInput) => unknown> {
  return {
    ...connectionOperations(engine),
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
          engine.putTarget(rule, parseTarget(t, id));
        } catch (err) {
          if (!isAwsServiceError(err)) throw err;
          failed.push({ TargetId: id, ErrorCode: err.code, ErrorMessage: err.message });
        }
      }
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },
    RemoveTargets(input) {
      const rule = engine.ruleRef(optionalString(input, 'EventBusName', fieldErrors) ?? 'default', requiredString(input, 'Rule', fieldErrors));
      const ids = optionalStringList(input, 'Ids', fieldErrors);
      if (!ids || ids.length === 0) throw fieldErrors.missing('Ids');
      for (const id of ids) engine.removeTarget(rule, id);
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    ListTargetsByRule(input) {
      const rule = engine.ruleRef(optionalString(input, 'EventBusName', fieldErrors) ?? 'default', requiredString(input, 'Rule', fieldErrors));
      return { Targets: engine.listTargets(rule).map(targetJson) };
    },
    DeleteRule(input) {
      engine.deleteRule(optionalString(input, 'EventBusName', fieldErrors) ?? 'default', requiredString(input, 'Name', fieldErrors));
      return {};
    },
    DescribeRule(input) {
      const busName = optionalString(input, 'EventBusName', fieldErrors) ?? 'default';
      const r = engine.describeRule(busName, requiredString(input, 'Name', fieldErrors));
      return { Name: r.name, Arn: r.arn, EventPattern: JSON.stringify(r.eventPattern), State: r.enabled ? 'ENABLED' : 'DISABLED', EventBusName: r.busName };
    },
    EnableRule(input) {
      engine.setRuleEnabled(optionalString(input, 'EventBusName', fieldErrors) ?? 'default', requiredString(input, 'Name', fieldErrors), true);
      return {};
    },
    DisableRule(input) {
      engine.setRuleEnabled(optionalString(input, 'EventBusName', fieldErrors) ?? 'default', requiredString(input, 'Name', fieldErrors), false);
      return {};
    },
    DescribeEventBus(input) {
      const bus = engine.describeEventBus(optionalString(input, 'Name', fieldErrors) ?? 'default');
      return { Name: bus.name, Arn: bus.arn };
    },
    CreateArchive(input) {
      const bus = requiredString(input, 'EventSourceArn', fieldErrors);
      const pattern = optionalString(input, 'EventPattern', fieldErrors);
      const description = optionalString(input, 'Description', fieldErrors);
      const retentionDays = optionalInt(input, 'RetentionDays', fieldErrors);
      const out = engine.createArchive(bus, requiredString(input, 'ArchiveName', fieldErrors), pattern, {
        ...(description !== undefined ? { description } : {}),
        ...(retentionDays !== undefined ? { retentionDays } : {}),
      });
      return { ArchiveArn: out.arn, State: 'ENABLED', CreationTime: epochSeconds(out.creationTime) };
    },
    DescribeArchive(input) {
      const a = engine.describeArchive(requiredString(input, 'ArchiveName', fieldErrors));
      return {
        ...archiveJson(a),
        ArchiveArn: a.arn,
        ...(a.description !== undefined ? { Description: a.description } : {}),
        ...(a.eventPattern !== undefined ? { EventPattern: a.eventPattern } : {}),
      };
    },
    ListArchives(input) {
      const namePrefix = optionalString(input, 'NamePrefix', fieldErrors);
      const eventSourceArn = optionalString(input, 'EventSourceArn', fieldErrors);
      const archives = engine.listArchives({
        ...(namePrefix !== undefined ? { namePrefix } : {}),
        ...(eventSourceArn !== undefined ? { eventSourceArn } : {}),
      });
      return { Archives: archives.map(archiveJson) };
    },
    StartReplay(input) {
      const destination = optionalObject(input, 'Destination', fieldErrors);
      if (!destination) throw fieldErrors.missing('Destination');
      const filterArns = optionalStringList(destination, 'FilterArns', fieldErrors);
      const description = optionalString(input, 'Description', fieldErrors);
      const replay = engine.beginReplay({
        replayName: requiredString(input, 'ReplayName', fieldErrors),
        archive: requiredString(input, 'EventSourceArn', fieldErrors),
        from: requiredTime(input, 'EventStartTime'),
        to: requiredTime(input, 'EventEndTime'),
        destinationArn: requiredString(destination, 'Arn', fieldErrors),
        ...(filterArns !== undefined ? { filterArns } : {}),
        ...(description !== undefined ? { description } : {}),
      });
      return { ReplayArn: replay.arn, State: replay.state, ReplayStartTime: epochSeconds(replay.replayStartTime) };
    },
    DescribeReplay(input) {
      const r = engine.describeReplay(requiredString(input, 'ReplayName', fieldErrors));
      return {
        ...replayJson(r),
        ReplayArn: r.arn,
        ...(r.description !== undefined ? { Description: r.description } : {}),
        Destination: { Arn: r.destinationArn, ...(r.filterArns ? { FilterArns: r.filterArns } : {}) },
      };
    },
    ListReplays(input) {
      const namePrefix = optionalString(input, 'NamePrefix', fieldErrors);
      const state = optionalString(input, 'State', fieldErrors);
      const eventSourceArn = optionalString(input, 'EventSourceArn', fieldErrors);
      const replays = engine.listReplays({
        ...(namePrefix !== undefined ? { namePrefix } : {}),
        ...(state !== undefined ? { state } : {}),
        ...(eventSourceArn !== undefined ? { eventSourceArn } : {}),
      });
      return { Replays: replays.map(replayJson) };
    },
    CancelReplay(input) {
      const r = engine.cancelReplay(requiredString(input, 'ReplayName', fieldErrors));
      return { ReplayArn: r.arn, State: r.state };
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

/** One PutTargets entry: the settings the emulator acts on (others, such as EcsParameters, are refused by putTarget's ARN check). */
function parseTarget(t: JsonInput, id: string): TargetSpec {
  const sqsParameters = optionalObject(t, 'SqsParameters', fieldErrors);
  const retry = optionalObject(t, 'RetryPolicy', fieldErrors);
  const dlq = optionalObject(t, 'DeadLetterConfig', fieldErrors);
  const roleArn = optionalString(t, 'RoleArn', fieldErrors);
  const input = optionalString(t, 'Input', fieldErrors);
  const inputPath = optionalString(t, 'InputPath', fieldErrors);
  const transformer = optionalObject(t, 'InputTransformer', fieldErrors);
  const http = optionalObject(t, 'HttpParameters', fieldErrors);
  return {
    id,
    arn: requiredString(t, 'Arn', fieldErrors),
    ...(roleArn !== undefined ? { roleArn } : {}),
    ...(input !== undefined ? { input } : {}),
    ...(inputPath !== undefined ? { inputPath } : {}),
    ...(transformer
      ? {
          inputTransformer: {
            inputTemplate: requiredString(transformer, 'InputTemplate', fieldErrors),
            ...(transformer.InputPathsMap !== undefined ? { inputPathsMap: stringMap(transformer, 'InputPathsMap') } : {}),
          },
        }
      : {}),
    ...(http
      ? {
          httpParameters: {
            ...(http.PathParameterValues !== undefined ? { pathParameterValues: optionalStringList(http, 'PathParameterValues', fieldErrors) ?? [] } : {}),
            ...(http.HeaderParameters !== undefined ? { headerParameters: stringMap(http, 'HeaderParameters') } : {}),
            ...(http.QueryStringParameters !== undefined ? { queryStringParameters: stringMap(http, 'QueryStringParameters') } : {}),
          },
        }
      : {}),
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
  };
}

function stringMap(input: JsonInput, name: string): Record<string, string> {
  const map = optionalObject(input, name, fieldErrors) ?? {};
  for (const [k, v] of Object.entries(map)) {
    if (typeof v !== 'string') throw fieldErrors.invalid(`${name}.${k}`, 'must be a string');
  }
  return map as Record<string, string>;
}

/** A target as ListTargetsByRule shows it. */
function targetJson(t: TargetSpec & { id: string; arn: string }): Record<string, unknown> {
  const http = t.httpParameters;
  return {
    Id: t.id,
    Arn: t.arn,
    ...(t.roleArn !== undefined ? { RoleArn: t.roleArn } : {}),
    ...(t.input !== undefined ? { Input: t.input } : {}),
    ...(t.inputPath !== undefined ? { InputPath: t.inputPath } : {}),
    ...(t.inputTransformer
      ? {
          InputTransformer: {
            InputTemplate: t.inputTransformer.inputTemplate,
            ...(t.inputTransformer.inputPathsMap ? { InputPathsMap: t.inputTransformer.inputPathsMap } : {}),
          },
        }
      : {}),
    ...(http
      ? {
          HttpParameters: {
            ...(http.pathParameterValues ? { PathParameterValues: http.pathParameterValues } : {}),
            ...(http.headerParameters ? { HeaderParameters: http.headerParameters } : {}),
            ...(http.queryStringParameters ? { QueryStringParameters: http.queryStringParameters } : {}),
          },
        }
      : {}),
    ...(t.messageGroupId !== undefined ? { SqsParameters: { MessageGroupId: t.messageGroupId } } : {}),
    ...(t.retryPolicy
      ? {
          RetryPolicy: {
            ...(t.retryPolicy.maximumRetryAttempts !== undefined ? { MaximumRetryAttempts: t.retryPolicy.maximumRetryAttempts } : {}),
            ...(t.retryPolicy.maximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: t.retryPolicy.maximumEventAgeInSeconds } : {}),
          },
        }
      : {}),
    ...(t.deadLetterQueue?.arn !== undefined ? { DeadLetterConfig: { Arn: t.deadLetterQueue.arn } } : {}),
  };
}

function requiredTime(input: JsonInput, name: string): Date {
  const v = input[name];
  if (v === undefined || v === null) throw fieldErrors.missing(name);
  const date = typeof v === 'number' ? new Date(v * 1000) : typeof v === 'string' ? new Date(v) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw fieldErrors.invalid(name, 'must be a timestamp');
  return date;
}

function archiveJson(a: ArchiveDescription): Record<string, unknown> {
  return {
    ArchiveName: a.name,
    EventSourceArn: a.busArn,
    State: a.state,
    RetentionDays: a.retentionDays,
    SizeBytes: a.sizeBytes,
    EventCount: a.eventCount,
    CreationTime: epochSeconds(a.creationTime),
  };
}

function replayJson(r: ReplayDescription): Record<string, unknown> {
  return {
    ReplayName: r.name,
    EventSourceArn: r.archiveArn,
    State: r.state,
    ...(r.stateReason !== undefined ? { StateReason: r.stateReason } : {}),
    EventStartTime: epochSeconds(r.eventStartTime),
    EventEndTime: epochSeconds(r.eventEndTime),
    ...(r.eventLastReplayedTime !== undefined ? { EventLastReplayedTime: epochSeconds(r.eventLastReplayedTime) } : {}),
    ReplayStartTime: epochSeconds(r.replayStartTime),
    ...(r.replayEndTime !== undefined ? { ReplayEndTime: epochSeconds(r.replayEndTime) } : {}),
  };
}
