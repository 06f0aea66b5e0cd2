/**
 * Parse every real input format into `TaskSnapshot`s:
 * - an EventBridge "ECS Task State Change" event;
 * - `aws ecs describe-tasks` output (`{"tasks":[...]}`) and `aws ecs stop-task` output (`{"task":{...}}`);
 * - a single task object, camelCase, or PascalCase as Step Functions' `runTask.sync` gives it.
 *
 * Real inputs are messy: timestamps are ISO strings with 0-3 fractional digits, `+00:00` offsets, epoch seconds
 * (AWS CLI v1, as floats) or epoch milliseconds (Step Functions); cpu and memory are strings; `exitCode`,
 * `containers` and most fields can be missing; account ids are masked. So validation is structural and lenient
 * (zod/mini), and normalisation never trusts a field it did not check. Pure: no I/O, no clock.
 */
import * as z from 'zod/mini';
import { InvalidInputError } from './errors';
import type { ContainerOverride, ContainerState, LaunchType, TaskOverrides, TaskSnapshot } from './model';

const TASK_STATE_CHANGE = 'ECS Task State Change';

const scalar = z.union([z.string(), z.number(), z.null()]);
const text = z.union([z.string(), z.null()]);

/**
 * A field of the wrong type is treated as absent, never as a reason to drop the event: one odd field must not
 * swallow a real OOM. Only the task ARN is required.
 */
function lenient<T extends z.core.$ZodType>(schema: T) {
  // What `z.catch(z.optional(schema), undefined)` builds, with the fallback as a function: `z.catch` reaches zod's
  // whole `util` namespace for a constant fallback (3.2 KB gzip in the bundle). The cast restores the type it infers.
  return new z.ZodMiniCatch({ type: 'catch', innerType: z.optional(schema), catchValue: () => undefined }) as z.ZodMiniCatch<z.ZodMiniOptional<T>>;
}
// Schemas are immutable: one lenient text and one lenient scalar serve every field (fewer objects built at load).
const lenientText = lenient(text);
const lenientScalar = lenient(scalar);

const rawContainer = z.looseObject({
  name: lenientText,
  exitCode: lenientScalar,
  reason: lenientText,
  lastStatus: lenientText,
  memory: lenientScalar,
  memoryReservation: lenientScalar,
  cpu: lenientScalar,
  image: lenientText,
});

const rawTask = z.looseObject({
  taskArn: z.string().check(z.minLength(1)),
  clusterArn: lenientText,
  taskDefinitionArn: lenientText,
  group: lenientText,
  launchType: lenientText,
  capacityProviderName: lenientText,
  cpu: lenientScalar,
  memory: lenientScalar,
  lastStatus: lenientText,
  desiredStatus: lenientText,
  stopCode: lenientText,
  stoppedReason: lenientText,
  startedAt: lenientScalar,
  stoppingAt: lenientScalar,
  stoppedAt: lenientScalar,
  version: lenientScalar,
  availabilityZone: lenientText,
  containers: lenient(z.union([z.array(z.unknown()), z.null()])),
});
type RawTask = z.infer<typeof rawTask>;

const rawEvent = z.looseObject({
  'detail-type': z.string(),
  source: z.string(),
  id: z.optional(z.string()),
  time: z.optional(scalar),
  region: z.optional(z.string()),
  account: z.optional(z.string()),
  detail: z.looseObject({}),
});

export type InputKind = 'event' | 'describe-tasks' | 'stop-task' | 'task';

export interface ParsedInput {
  kind: InputKind;
  tasks: TaskSnapshot[];
  /** Tasks in the input that could not be parsed, with the reason (describe-tasks output only). */
  skipped: { index: number; reason: string }[];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Turn Step Functions' PascalCase keys into the API's camelCase, recursively. Values are left alone. */
export function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const camel = /^[A-Z][a-z]/.test(key) ? key.charAt(0).toLowerCase() + key.slice(1) : key;
    out[camel] = camelCaseKeys(inner);
  }
  return out;
}

function looksPascalCase(value: Record<string, unknown>): boolean {
  return 'TaskArn' in value || 'Tasks' in value || 'Containers' in value || 'Detail' in value;
}

/** The largest epoch ms a JavaScript Date holds (year 275760); beyond it `toISOString` throws. */
const MAX_DATE_MS = 8.64e15;

/**
 * Epoch ms from an ISO string, or an epoch number in seconds (AWS CLI v1, floats), milliseconds (Step Functions),
 * microseconds or nanoseconds (some exporters), told apart by magnitude. Null when unreadable or not a real date.
 */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    const ms = value >= 1e17 ? value / 1e6 : value >= 1e14 ? value / 1e3 : value > 1e11 ? value : value * 1000;
    return ms <= MAX_DATE_MS ? Math.round(ms) : null;
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const trimmed = value.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return parseTimestamp(Number(trimmed));
    const ms = Date.parse(trimmed);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/** A positive integer (a memory size in MiB, CPU units), else null: 0 or a negative size is none ECS would run with. */
export function parsePositiveInteger(value: unknown): number | null {
  const n = parseInteger(value);
  return n !== null && n > 0 ? n : null;
}

/** A positive integer from a number or numeric string (`"512"`), else null. */
export function parseInteger(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.round(value);
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value));
  return null;
}

/**
 * Task-level cpu/memory may also be given as "1 vCPU" / "2 GB" in a task definition. Normalise to CPU units
 * and MiB; plain numbers are already in those units.
 */
export function parseSize(value: unknown, unit: 'cpu' | 'memory'): number | null {
  const plain = parseInteger(value);
  if (plain !== null) return plain;
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(vcpu|gb|gib|mb|mib)\s*$/i.exec(value);
  if (!match?.[1] || !match[2]) return null;
  const n = Number(match[1]);
  const suffix = match[2].toLowerCase();
  if (unit === 'cpu' && suffix === 'vcpu') return Math.round(n * 1024);
  if (unit === 'memory' && (suffix === 'gb' || suffix === 'gib')) return Math.round(n * 1024);
  if (unit === 'memory' && (suffix === 'mb' || suffix === 'mib')) return Math.round(n);
  return null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

interface ArnParts {
  partition: string | null;
  region: string | null;
  account: string | null;
  resource: string;
}

/** Lenient ARN split: masked accounts (`************`, `{account-id}`, `REDACTED`) are kept as they are. */
/** A region name (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`); masked copies (`*************`) are not one. */
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

function regionOrNull(region: string | null | undefined): string | null {
  return region && REGION.test(region) ? region : null;
}

export function splitArn(arn: string): ArnParts | null {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return null;
  const region = parts[3] ?? '';
  return {
    partition: parts[1] || null,
    // A masked or malformed region would end up in console links and CLI commands: unknown instead.
    region: regionOrNull(region),
    account: parts[4] || null,
    resource: parts.slice(5).join(':'),
  };
}

function lastSegment(value: string): string {
  const resource = splitArn(value)?.resource ?? value;
  const segments = resource.split('/').filter((s) => s !== '');
  return segments[segments.length - 1] ?? resource;
}

/** `family` and `revision` from `arn:...:task-definition/family:7` (or a bare `family:7`). */
export function parseTaskDefinitionArn(arn: string | null): { family: string | null; revision: number | null } {
  if (!arn) return { family: null, revision: null };
  const tail = lastSegment(arn);
  const match = /^(.+):(\d+)$/.exec(tail);
  if (match?.[1] && match[2]) return { family: match[1], revision: Number(match[2]) };
  return { family: tail || null, revision: null };
}

const LAUNCH_TYPES: readonly LaunchType[] = ['FARGATE', 'EC2', 'EXTERNAL', 'MANAGED_INSTANCES'];

function parseLaunchType(raw: RawTask): LaunchType | null {
  const value = str(raw.launchType)?.toUpperCase();
  if (value && (LAUNCH_TYPES as readonly string[]).includes(value)) return value as LaunchType;
  const provider = str(raw.capacityProviderName)?.toUpperCase();
  if (provider === 'FARGATE' || provider === 'FARGATE_SPOT') return 'FARGATE';
  if (str(raw['containerInstanceArn'])) return 'EC2';
  return null;
}

function parseContainer(raw: z.infer<typeof rawContainer>, index: number): ContainerState {
  return {
    name: str(raw.name) ?? `container-${index + 1}`,
    exitCode: parseInteger(raw.exitCode),
    reason: str(raw.reason),
    lastStatus: str(raw.lastStatus),
    memory: parsePositiveInteger(raw.memory),
    memoryReservation: parsePositiveInteger(raw.memoryReservation),
    cpu: parseInteger(raw.cpu),
    image: str(raw.image),
  };
}

/**
 * `overrides` (RunTask, EventBridge Scheduler, Step Functions): the container and task memory, environment and command
 * the task really ran with. Entries that are not objects or have no name are skipped; a task with no override that
 * changes anything gets null.
 */
export function parseOverrides(value: unknown): TaskOverrides | null {
  if (!isRecord(value)) return null;
  const containers: ContainerOverride[] = [];
  const list = Array.isArray(value['containerOverrides']) ? value['containerOverrides'] : [];
  for (const item of list) {
    if (!isRecord(item)) continue;
    const name = str(item['name']);
    if (!name) continue;
    const environment: Record<string, string> = {};
    if (Array.isArray(item['environment'])) {
      for (const kv of item['environment']) {
        if (isRecord(kv) && typeof kv['name'] === 'string' && typeof kv['value'] === 'string') environment[kv['name']] = kv['value'];
      }
    }
    const command = Array.isArray(item['command']) && item['command'].every((c) => typeof c === 'string') ? (item['command'] as string[]) : null;
    const memory = parsePositiveInteger(item['memory']);
    const memoryReservation = parsePositiveInteger(item['memoryReservation']);
    const entry: ContainerOverride = {
      name,
      memory,
      memoryReservation,
      environment,
      command,
    };
    if (entry.memory !== null || entry.memoryReservation !== null || Object.keys(environment).length > 0 || command !== null) containers.push(entry);
  }
  const memory = parseSize(value['memory'], 'memory');
  const cpu = parseSize(value['cpu'], 'cpu');
  const out: TaskOverrides = { containers, memory: parsePositiveInteger(memory), cpu: parsePositiveInteger(cpu) };
  return containers.length > 0 || out.memory !== null || out.cpu !== null ? out : null;
}

function issueText(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

function normaliseTask(
  input: unknown,
  envelope: { eventId: string | null; eventTime: number | null; region: string | null; account: string | null },
): TaskSnapshot {
  const parsed = rawTask.safeParse(input);
  if (!parsed.success) throw new InvalidInputError(`not an ECS task: ${issueText(parsed.error)}`);
  const raw = parsed.data;
  const taskArnParts = splitArn(raw.taskArn);
  const clusterArn = str(raw.clusterArn) ?? '';
  const clusterArnParts = clusterArn ? splitArn(clusterArn) : null;
  const taskDefinitionArn = str(raw.taskDefinitionArn);
  const { family, revision } = parseTaskDefinitionArn(taskDefinitionArn);
  const group = str(raw.group);
  const serviceName = group?.startsWith('service:') ? group.slice('service:'.length) || null : null;
  // Cluster name: the ARN's last segment; older task ARNs carry it as arn:...:task/CLUSTER/ID.
  let clusterName = clusterArn ? lastSegment(clusterArn) : '';
  if (!clusterName && taskArnParts) {
    const segments = taskArnParts.resource.split('/');
    if (segments.length >= 3 && segments[1]) clusterName = segments[1];
  }
  const parseWarnings: string[] = [];
  const rawContainers = (input as Record<string, unknown>)['containers'];
  if (rawContainers !== undefined && rawContainers !== null && !Array.isArray(rawContainers)) {
    parseWarnings.push('containers is not an array; no container could be read');
  }
  const containers: ContainerState[] = [];
  (raw.containers ?? []).forEach((item, index) => {
    const c = rawContainer.safeParse(item);
    if (c.success) containers.push(parseContainer(c.data, index));
    else parseWarnings.push(`containers[${index}] is not an object; skipped`);
  });
  return {
    clusterArn,
    clusterName,
    taskArn: raw.taskArn,
    taskId: lastSegment(raw.taskArn),
    taskDefinitionArn,
    family,
    revision,
    group,
    serviceName,
    launchType: parseLaunchType(raw),
    capacityProviderName: str(raw.capacityProviderName),
    region: taskArnParts?.region ?? clusterArnParts?.region ?? envelope.region,
    accountId: taskArnParts?.account ?? clusterArnParts?.account ?? envelope.account,
    partition: taskArnParts?.partition ?? clusterArnParts?.partition ?? 'aws',
    cpu: parseSize(raw.cpu, 'cpu'),
    memory: parsePositiveInteger(parseSize(raw.memory, 'memory')),
    lastStatus: str(raw.lastStatus),
    desiredStatus: str(raw.desiredStatus),
    stopCode: str(raw.stopCode),
    stoppedReason: str(raw.stoppedReason),
    startedAt: parseTimestamp(raw.startedAt),
    stoppingAt: parseTimestamp(raw.stoppingAt),
    stoppedAt: parseTimestamp(raw.stoppedAt),
    version: parseInteger(raw.version),
    availabilityZone: str(raw.availabilityZone),
    containers,
    overrides: parseOverrides((input as Record<string, unknown>)['overrides']),
    parseWarnings,
    eventId: envelope.eventId,
    eventTime: envelope.eventTime,
  };
}

const NO_ENVELOPE = { eventId: null, eventTime: null, region: null, account: null };

/**
 * Parse an EventBridge event. Throws `InvalidInputError` for anything that is not an ECS Task State Change with
 * a task ARN: the caller logs the reason and drops the event (it is not retryable).
 */
export function parseTaskStateChange(input: unknown): TaskSnapshot {
  // A Lambda on-failure record replayed from the dead-letter queue carries the event in requestPayload.
  if (isInvocationRecord(input)) return parseTaskStateChange(input['requestPayload']);
  if (!isRecord(input)) throw new InvalidInputError('event is not a JSON object');
  const parsed = rawEvent.safeParse(input);
  if (!parsed.success) throw new InvalidInputError(`not an EventBridge event: ${issueText(parsed.error)}`);
  const event = parsed.data;
  if (event.source !== 'aws.ecs' || event['detail-type'] !== TASK_STATE_CHANGE) {
    throw new InvalidInputError(`unexpected event type: ${event.source} / ${event['detail-type']}`);
  }
  return normaliseTask(event.detail, {
    eventId: event.id ?? null,
    eventTime: parseTimestamp(event.time),
    region: regionOrNull(event.region),
    account: event.account ?? null,
  });
}

/**
 * Parse any supported input (for `triage`): an event, describe-tasks / stop-task output, or a task object in
 * camelCase or PascalCase. Throws `InvalidInputError` when nothing in it is a task.
 */
export function parseTaskInput(input: unknown): ParsedInput {
  const inner = unwrapEnvelope(input);
  if (inner !== null) {
    const parsed = inner.map((item) => parseTaskInput(item));
    return { kind: parsed[0]?.kind ?? 'event', tasks: parsed.flatMap((p) => p.tasks), skipped: parsed.flatMap((p) => p.skipped) };
  }
  if (!isRecord(input)) {
    // An array of events (a saved batch) is read event by event; any other array as a list of tasks.
    if (Array.isArray(input) && input.length > 0 && input.every((e) => isRecord(e) && ('detail-type' in e || 'detail' in e))) {
      return { kind: 'event', tasks: input.map((e) => parseTaskStateChange(e)), skipped: [] };
    }
    if (Array.isArray(input)) return parseTaskList(input, 'describe-tasks');
    throw new InvalidInputError('expected a JSON object (an event, describe-tasks output or a task)');
  }
  const value = looksPascalCase(input) ? (camelCaseKeys(input) as Record<string, unknown>) : input;
  if ('detail-type' in value || ('detail' in value && 'source' in value)) {
    return { kind: 'event', tasks: [parseTaskStateChange(value)], skipped: [] };
  }
  if (Array.isArray(value['tasks'])) return parseTaskList(value['tasks'], 'describe-tasks');
  if (isRecord(value['task'])) return { kind: 'stop-task', tasks: [normaliseTask(value['task'], NO_ENVELOPE)], skipped: [] };
  if ('taskArn' in value) return { kind: 'task', tasks: [normaliseTask(value, NO_ENVELOPE)], skipped: [] };
  throw new InvalidInputError(
    'no task found: expected an EventBridge event, {"tasks":[...]}, {"task":{...}} or a task object with taskArn',
  );
}

/**
 * The event inside the envelopes it is often saved in: an SQS or SNS Lambda event (`Records[].body`,
 * `Records[].Sns.Message`) or an SNS notification (`{"Type":"Notification","Message":...}`), where the inner event is
 * a JSON string, or a Lambda on-failure record (`requestPayload`, from the dead-letter queue). Null when the input is
 * not such an envelope.
 */
const isInvocationRecord = (input: unknown): input is Record<string, unknown> => isRecord(input) && isRecord(input['requestContext']) && 'requestPayload' in input;

export function unwrapEnvelope(input: unknown): unknown[] | null {
  const parse = (text: unknown): unknown => {
    if (typeof text !== 'string') return text;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new InvalidInputError('envelope: its message is not JSON');
    }
  };
  if (isInvocationRecord(input)) return [input['requestPayload']];
  if (isRecord(input) && input['Type'] === 'Notification' && 'Message' in input) return [parse(input['Message'])];
  if (isRecord(input) && Array.isArray(input['Records']) && input['Records'].length > 0) {
    const records = input['Records'];
    if (records.every((r) => isRecord(r) && ('body' in r || isRecord(r['Sns'])))) {
      return records.map((r) => {
        const rec = r as Record<string, unknown>;
        return parse(isRecord(rec['Sns']) ? rec['Sns']['Message'] : rec['body']);
      });
    }
  }
  return null;
}

function parseTaskList(list: unknown[], kind: InputKind): ParsedInput {
  const tasks: TaskSnapshot[] = [];
  const skipped: { index: number; reason: string }[] = [];
  list.forEach((item, index) => {
    try {
      tasks.push(normaliseTask(isRecord(item) && looksPascalCase(item) ? camelCaseKeys(item) : item, NO_ENVELOPE));
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      skipped.push({ index, reason: error.message });
    }
  });
  if (tasks.length === 0) {
    throw new InvalidInputError(
      list.length === 0 ? 'the tasks array is empty' : `no valid task in tasks[]: ${skipped[0]?.reason ?? ''}`,
    );
  }
  return { kind, tasks, skipped };
}
