import { createHash } from 'node:crypto';
import { conflict, invalid, notFound } from './api-error.js';
import type { EmulatorClock } from './clock.js';
import type { Dispatcher } from './dispatcher.js';
import {
  DEFAULT_GROUP,
  type RunState,
  type ScheduleData,
  type ScheduleGroupData,
  scheduleArn,
  scheduleGroupArn,
  scheduleKey,
} from './model.js';
import { pageOf } from './pagination.js';
import { checkClientToken, checkName, enumField, type Fields, stringField } from './request-fields.js';
import { type ScheduleConfig, readScheduleInput } from './schedule-input.js';
import type { ScheduleStore } from './schedule-store.js';

/**
 * Where inside a FLEXIBLE time window a schedule fires: at its `start` (the `at()` time), its `end`, a `random`
 * point, or the offset in ms a function returns (clamped to the window).
 */
export type FlexibleWindowPolicy = 'start' | 'end' | 'random' | ((windowMs: number, schedule: { readonly name: string; readonly groupName: string }) => number);

export interface SchedulerServiceOptions {
  readonly store: ScheduleStore;
  readonly dispatcher: Dispatcher;
  readonly clock: EmulatorClock;
  readonly region: string;
  readonly accountId: string;
  readonly flexibleWindow: FlexibleWindowPolicy;
  /** How long a client token's result is remembered. */
  readonly clientTokenTtlMs: number;
}

type Response = Readonly<Record<string, unknown>>;

const MAX_TAGS = 200;

/**
 * The EventBridge Scheduler operations, on parsed request parts, answering plain JSON objects in the API's
 * shapes. Throws {@link SchedulerApiError}s. Every change is stored (durably, with a data directory) before
 * the call returns, and handed to the dispatcher.
 */
export class SchedulerService {
  constructor(private readonly options: SchedulerServiceOptions) {
    if (options.store.group(DEFAULT_GROUP) === undefined) options.store.putGroup(this.newGroup(DEFAULT_GROUP, []));
  }

  createSchedule(name: string, body: Fields): Response {
    const { config, clientToken } = readScheduleInput(name, body);
    return this.idempotent('CreateSchedule', clientToken, { name, body }, () => {
      this.requireGroup(config.GroupName);
      const key = scheduleKey(config.GroupName, name);
      if (this.options.store.schedule(key) !== undefined) throw conflict(`Schedule ${name} already exists.`);
      const now = this.nowSeconds();
      const schedule: ScheduleData = {
        ...config,
        Arn: scheduleArn(this.options.region, this.options.accountId, config.GroupName, name),
        CreationDate: now,
        LastModificationDate: now,
        ...this.runFor(config),
      };
      this.save(schedule);
      return { ScheduleArn: schedule.Arn };
    });
  }

  getSchedule(name: string, groupName: string | undefined): Response {
    return toApi(this.requireSchedule(name, groupName));
  }

  updateSchedule(name: string, body: Fields): Response {
    const { config, clientToken } = readScheduleInput(name, body);
    return this.idempotent('UpdateSchedule', clientToken, { name, body }, () => {
      const current = this.requireSchedule(name, config.GroupName);
      const sameTiming =
        current.ScheduleExpression === config.ScheduleExpression &&
        current.ScheduleExpressionTimezone === config.ScheduleExpressionTimezone &&
        current.State === config.State &&
        JSON.stringify(current.FlexibleTimeWindow) === JSON.stringify(config.FlexibleTimeWindow);
      // Unchanged timing keeps the schedule's firing as it is (pending, retrying or completed); new timing re-arms it.
      const firing = sameTiming
        ? { ...(current.run === undefined ? {} : { run: current.run }), ...(current.completion === undefined ? {} : { completion: current.completion }) }
        : this.runFor(config);
      const schedule: ScheduleData = {
        ...config,
        Arn: current.Arn,
        CreationDate: current.CreationDate,
        LastModificationDate: this.nowSeconds(),
        ...firing,
      };
      this.save(schedule);
      return { ScheduleArn: schedule.Arn };
    });
  }

  deleteSchedule(name: string, groupName: string | undefined, clientToken: string | undefined): Response {
    checkClientToken(clientToken);
    return this.idempotent('DeleteSchedule', clientToken, { name, groupName }, () => {
      const schedule = this.requireSchedule(name, groupName);
      this.options.store.deleteSchedule(scheduleKey(schedule.GroupName, schedule.Name));
      return {};
    });
  }

  listSchedules(query: Fields): Response {
    const groupName = stringField(query, 'ScheduleGroup', { max: 64 });
    const prefix = stringField(query, 'NamePrefix', { max: 64 });
    const state = enumField(query, 'State', ['ENABLED', 'DISABLED']);
    const schedules = [...this.options.store.schedules()]
      .filter((s) => (groupName === undefined || s.GroupName === groupName) && (prefix === undefined || s.Name.startsWith(prefix)))
      .filter((s) => state === undefined || s.State === state)
      .map((s) => ({ sortKey: scheduleKey(s.GroupName, s.Name), item: s }));
    const page = pageOf(schedules, query);
    return {
      Schedules: page.items.map((s) => ({
        Arn: s.Arn,
        Name: s.Name,
        GroupName: s.GroupName,
        State: s.State,
        CreationDate: s.CreationDate,
        LastModificationDate: s.LastModificationDate,
        Target: { Arn: s.Target.Arn },
      })),
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
    };
  }

  createScheduleGroup(name: string, body: Fields): Response {
    checkName(name, 'Name');
    const tags = readTags(body['Tags']);
    const clientToken = checkClientToken(stringField(body, 'ClientToken', { max: 64 }));
    return this.idempotent('CreateScheduleGroup', clientToken, { name, tags }, () => {
      if (this.options.store.group(name) !== undefined) throw conflict(`Schedule group ${name} already exists.`);
      const group = this.newGroup(name, tags);
      this.options.store.putGroup(group);
      return { ScheduleGroupArn: group.Arn };
    });
  }

  getScheduleGroup(name: string): Response {
    const { Tags: _tags, ...group } = this.requireGroup(name);
    return group;
  }

  deleteScheduleGroup(name: string, clientToken: string | undefined): Response {
    checkClientToken(clientToken);
    return this.idempotent('DeleteScheduleGroup', clientToken, { name }, () => {
      if (name === DEFAULT_GROUP) throw invalid('The default schedule group cannot be deleted.');
      this.requireGroup(name);
      // The real service deletes the group's schedules asynchronously; here they go at once.
      for (const schedule of [...this.options.store.schedules()]) {
        if (schedule.GroupName === name) this.options.store.deleteSchedule(scheduleKey(name, schedule.Name));
      }
      this.options.store.deleteGroup(name);
      return {};
    });
  }

  listScheduleGroups(query: Fields): Response {
    const prefix = stringField(query, 'NamePrefix', { max: 64 });
    const groups = [...this.options.store.groups()]
      .filter((g) => prefix === undefined || g.Name.startsWith(prefix))
      .map((g) => ({ sortKey: g.Name, item: g }));
    const page = pageOf(groups, query);
    return {
      ScheduleGroups: page.items.map(({ Tags: _tags, ...group }) => group),
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
    };
  }

  listTagsForResource(resourceArn: string): Response {
    return { Tags: this.groupByArn(resourceArn).Tags };
  }

  tagResource(resourceArn: string, body: Fields): Response {
    const group = this.groupByArn(resourceArn);
    const added = readTags(body['Tags']);
    const tags = new Map(group.Tags.map((t) => [t.Key, t.Value]));
    for (const tag of added) tags.set(tag.Key, tag.Value);
    if (tags.size > MAX_TAGS) throw invalid(`a schedule group can have at most ${MAX_TAGS} tags, this would make ${tags.size}`);
    this.options.store.putGroup({ ...group, Tags: [...tags].map(([Key, Value]) => ({ Key, Value })) });
    return {};
  }

  untagResource(resourceArn: string, tagKeys: readonly string[]): Response {
    const group = this.groupByArn(resourceArn);
    this.options.store.putGroup({ ...group, Tags: group.Tags.filter((t) => !tagKeys.includes(t.Key)) });
    return {};
  }

  /** The stored schedule, with its run and completion, for inspection by tests. */
  inspect(name: string, groupName = DEFAULT_GROUP): ScheduleData | undefined {
    return this.options.store.schedule(scheduleKey(groupName, name));
  }

  private save(schedule: ScheduleData): void {
    this.options.store.putSchedule(schedule);
    this.options.dispatcher.track(schedule);
  }

  private runFor(config: ScheduleConfig): { readonly run?: RunState } {
    if (config.State !== 'ENABLED') return {};
    const windowMs = config.FlexibleTimeWindow.Mode === 'FLEXIBLE' ? (config.FlexibleTimeWindow.MaximumWindowInMinutes ?? 0) * 60_000 : 0;
    const policy = this.options.flexibleWindow;
    let offsetMs = 0;
    if (windowMs > 0) {
      if (policy === 'end') offsetMs = windowMs;
      else if (policy === 'random') offsetMs = Math.floor(Math.random() * windowMs);
      else if (typeof policy === 'function') offsetMs = policy(windowMs, { name: config.Name, groupName: config.GroupName });
      offsetMs = Math.min(windowMs, Math.max(0, Math.round(Number.isFinite(offsetMs) ? offsetMs : 0)));
    }
    const fireAtMs = config.dueAtMs + offsetMs;
    return { run: { fireAtMs, attempts: 0, nextAttemptAtMs: fireAtMs } };
  }

  private requireSchedule(name: string, groupName: string | undefined): ScheduleData {
    const group = groupName ?? DEFAULT_GROUP;
    const schedule = this.options.store.schedule(scheduleKey(group, name));
    if (schedule === undefined) throw notFound(`Schedule ${name} does not exist.`);
    return schedule;
  }

  private requireGroup(name: string): ScheduleGroupData {
    const group = this.options.store.group(name);
    if (group === undefined) throw notFound(`Schedule group ${name} does not exist.`);
    return group;
  }

  private groupByArn(resourceArn: string): ScheduleGroupData {
    const prefix = scheduleGroupArn(this.options.region, this.options.accountId, '');
    const group = resourceArn.startsWith(prefix) ? this.options.store.group(resourceArn.slice(prefix.length)) : undefined;
    if (group === undefined) throw notFound(`Resource ${resourceArn} does not exist (only schedule groups carry tags).`);
    return group;
  }

  private newGroup(name: string, tags: ScheduleGroupData['Tags']): ScheduleGroupData {
    const now = this.nowSeconds();
    return {
      Name: name,
      Arn: scheduleGroupArn(this.options.region, this.options.accountId, name),
      State: 'ACTIVE',
      CreationDate: now,
      LastModificationDate: now,
      Tags: tags,
    };
  }

  /**
   * Runs `operation` once per client token: a retry with the same token and request gets the first answer
   * without doing it again (e.g. a create retried after the schedule fired and deleted itself does not recreate
   * it); the same token on a different request is a ConflictException.
   */
  private idempotent(operation: string, clientToken: string | undefined, request: unknown, run: () => Response): Response {
    if (clientToken === undefined) return run();
    const key = `${operation}:${clientToken}`;
    const requestDigest = createHash('sha256').update(JSON.stringify(request, withoutClientToken)).digest('base64url');
    const seen = this.options.store.token(key);
    if (seen !== undefined) {
      if (seen.requestDigest === requestDigest) return seen.response;
      throw conflict(`ClientToken ${clientToken} was already used for a different ${operation} request.`);
    }
    const response = run();
    this.options.store.putToken(key, { key, requestDigest, response, expiresAtMs: this.options.clock.now() + this.options.clientTokenTtlMs });
    return response;
  }

  private nowSeconds(): number {
    return this.options.clock.now() / 1000;
  }
}

function withoutClientToken(key: string, value: unknown): unknown {
  return key === 'ClientToken' ? undefined : value;
}

/** The schedule as GetSchedule answers it: API fields only. */
function toApi(schedule: ScheduleData): Response {
  const { dueAtMs: _due, run: _run, completion: _completion, ...api } = schedule;
  return api;
}

function readTags(value: unknown): ScheduleGroupData['Tags'] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(`Tags must be a list of {Key, Value}, got ${JSON.stringify(value)}`);
  if (value.length > MAX_TAGS) throw invalid(`at most ${MAX_TAGS} Tags are allowed, got ${value.length}`);
  return value.map((tag: unknown, index) => {
    const fields = (typeof tag === 'object' && tag !== null ? tag : {}) as Fields;
    const Key = stringField(fields, 'Key', { max: 128, required: true, path: `Tags[${index}].Key` }) as string;
    const Value = stringField(fields, 'Value', { min: 0, max: 256, required: true, path: `Tags[${index}].Value` }) as string;
    return { Key, Value };
  });
}

