/**
 * The offline `triage` command's logic, apart from process I/O: read the files through an injected reader,
 * run the Lambda's triage core with file-backed evidence, and format the output.
 */
import { classifyKill } from '../lambda/classify-kill';
import { InvalidInputError } from '../lambda/errors';
import { type MetricDataset, parseMetricStatistics, type RawMemoryMetrics } from '../lambda/memory-metrics';
import type { TaskDefinition, TaskSnapshot } from '../lambda/model';
import { parseTaskInput } from '../lambda/parse-task';
import { parseTaskDefinition } from '../lambda/parse-task-definition';
import { buildTriage, gatherEvidence } from '../lambda/triage';
import { renderTriageText, toTriageJson } from '../lambda/triage-report';
import { renderPreview, type PreviewFormat } from './preview';

/** Bad arguments or unreadable input: exit 2 with this one-line message. */
export class TriageUsageError extends Error {
  override readonly name = 'TriageUsageError';
}

export interface TriageArgs {
  input: string | undefined;
  extra: string[];
  taskDefinition?: string | undefined;
  metrics?: string | undefined;
  containerInsights?: string | undefined;
  format: string;
  lookbackHours?: string | undefined;
}

const FORMATS = ['text', 'json', 'slack', 'email', 'chatbot'] as const;
type Format = (typeof FORMATS)[number];

/**
 * Text from a file's bytes, whatever the shell that wrote it: UTF-8 with or without a BOM, or UTF-16 with a BOM
 * (Windows PowerShell 5's `>` and `Out-File` write UTF-16LE; `Out-File -Encoding utf8` writes a UTF-8 BOM).
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

function readJson(path: string, readFile: (path: string) => string): unknown {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TriageUsageError(`${path}: cannot read the file (${code ?? (error as Error).message})`);
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new TriageUsageError(`${path}: the file is empty`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TriageUsageError(`${path}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

function parseWith<T>(path: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidInputError) throw new TriageUsageError(`${path}: ${error.message}`);
    throw error;
  }
}

/**
 * `aws batch describe-jobs` output names the ECS task a job ran in (`container.taskArn`) but is not a task: say how to
 * get the task instead of "no task found".
 */
function notBatch(json: unknown, path: string): unknown {
  const jobs = (json as { jobs?: unknown } | null)?.jobs;
  if (!Array.isArray(jobs)) return json;
  const arn = jobs.map((j) => (j as { container?: { taskArn?: unknown } } | null)?.container?.taskArn).find((a): a is string => typeof a === 'string');
  if (arn === undefined) return json;
  const cluster = /:task\/([^/]+)\/[^/]+$/.exec(arn)?.[1] ?? 'CLUSTER';
  throw new TriageUsageError(
    `${path}: this is AWS Batch describe-jobs output, not an ECS task: triage the job's task, from aws ecs describe-tasks --cluster ${cluster} --tasks ${arn}`,
  );
}

/** The task's memory size, else its largest container limit: what a memory series is measured against. */
function sizeOf(taskDefinition: TaskDefinition | null, task: TaskSnapshot | null): number | null {
  const limits = (taskDefinition?.containers ?? task?.containers ?? []).map((c) => c.memory ?? c.memoryReservation ?? 0);
  return taskDefinition?.memory ?? task?.memory ?? (limits.length > 0 ? Math.max(...limits) : null);
}

/** The kill time: what "now" means for an offline triage, so estimates are relative to the kill. */
function killTime(task: TaskSnapshot, datasets: MetricDataset[]): number {
  const last = datasets.flatMap((d) => d.points.map((p) => p.t)).reduce((a, b) => Math.max(a, b), 0);
  return task.stoppedAt ?? task.stoppingAt ?? task.eventTime ?? (last > 0 ? last : Date.now());
}

const iso = (t: number): string => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Metrics files that do not cover the kill: all points after it (a "last 24 hours" export run days later), or a
 * history that ends long before it. `stale` (over 6 h between the last point and the kill) lowers the confidence.
 */
export function metricsWindowWarnings(datasets: MetricDataset[], kill: number, inWindow: (t: number) => boolean): { warnings: string[]; stale: boolean } {
  const times = datasets.flatMap((d) => d.points.map((p) => p.t));
  if (times.length === 0) return { warnings: [], stale: false };
  const used = times.filter(inWindow);
  const first = Math.min(...times);
  const last = Math.max(...times);
  if (used.length === 0) {
    return {
      warnings: [
        `The metrics files hold ${times.length} points from ${iso(first)} to ${iso(last)}, none in the window before the kill at ${iso(kill)}: ` +
          `export the hours before the kill (get-metric-statistics --start-time ${iso(kill - 24 * 3_600_000)} --end-time ${iso(kill + 60_000)}).`,
      ],
      stale: false,
    };
  }
  const after = times.filter((t) => t > kill + 60_000).length;
  const afterNote = after > 0 ? [`${after} point${after === 1 ? '' : 's'} after the kill at ${iso(kill)} left out (a replacement task's, or a clock or time-zone offset in the file).`] : [];
  const gapHours = (kill - Math.max(...used)) / 3_600_000;
  if (gapHours > 2) {
    return {
      warnings: [
        ...afterNote,
        `The memory history ends ${gapHours >= 48 ? `${Math.round(gapHours / 24)} days` : `${Math.round(gapHours)} h`} before the kill (last point ${iso(Math.max(...used))}, kill ${iso(kill)}): ` +
          `it may not show the container as it was when killed. Export up to the kill (--end-time ${iso(kill + 60_000)}).`,
      ],
      stale: gapHours > 6,
    };
  }
  return { warnings: afterNote, stale: false };
}

/**
 * What a metrics file itself says about its data: no datapoints (a misspelled dimension or a wrong time range), one page
 * of a paginated get-metric-data result, a query that failed, or Container Insights percentages (whose base may be the
 * container's reservation rather than its limit).
 */
/**
 * The unit a metrics file was read in, checked against what its numbers can be: a percentage far above 100 (MiB read as
 * percent), or MiB that never pass 100 for a task sized from 512 MiB up (percent read as MiB). Null when they fit.
 */
export function unitDoubt(path: string, json: unknown, dataset: MetricDataset, taskDefinition: TaskDefinition | null, task: TaskSnapshot | null): string | null {
  // A file that states its Unit is read in it: only an inferred unit (get-metric-data, a hand-made file) is doubted.
  const datapoints = (json as { Datapoints?: unknown } | null)?.Datapoints;
  if (Array.isArray(datapoints) && datapoints.some((d) => typeof (d as { Unit?: unknown } | null)?.Unit === 'string')) return null;
  const containers = taskDefinition?.containers ?? task?.containers ?? [];
  // No task memory and a reservation: the percentage is of the reservations and can pass 100 % by far (EC2).
  const softOnly = (taskDefinition?.memory ?? task?.memory) == null && containers.some((c) => c.memoryReservation !== null);
  const sizeMiB = sizeOf(taskDefinition, task);
  const top = dataset.points.reduce((m, p) => Math.max(m, p.max ?? p.avg ?? 0), 0);
  if (dataset.unit === 'percent' && top > 400 && !softOnly) {
    return `${path}: values up to ${Math.round(top)} read as percent: these look like MiB (give the file a Unit, or pass it with --container-insights); confidence lowered.`;
  }
  if (dataset.unit === 'MiB' && dataset.points.length > 0 && top <= 100 && sizeMiB !== null && sizeMiB >= 512) {
    return `${path}: values never above ${Math.round(top)} MiB for a ${sizeMiB} MiB task: these look like percentages (give the file a Unit, or pass it with --metrics); confidence lowered.`;
  }
  return null;
}

export function metricsFileWarnings(path: string, json: unknown, dataset: MetricDataset): string[] {
  const out: string[] = [];
  const o = (typeof json === 'object' && json !== null ? json : {}) as { NextToken?: unknown; MetricDataResults?: unknown };
  const results = Array.isArray(o.MetricDataResults) ? (o.MetricDataResults as { Id?: unknown; StatusCode?: unknown; NextToken?: unknown }[]) : [];
  if (dataset.points.length === 0) {
    out.push(`${path} has no datapoints: check the ClusterName and ServiceName (or TaskDefinitionFamily) values and the time range it was exported for.`);
  } else if (dataset.points.every((p) => !p.max && !p.avg)) {
    out.push(`${path} holds ${dataset.points.length} points, all zero: telemetry that never reported (a container killed at its limit used memory); not used.`);
  }
  const named = (r: { Id?: unknown; Label?: unknown }) => /max|av(g|erage)/i.test(`${String(r?.Id ?? '')} ${String((r as { Label?: unknown })?.Label ?? '')}`);
  if (new Set(results.map((r) => r?.Id)).size === 2 && !results.some(named)) {
    out.push(`${path}: no query Id or label says which result is the Maximum: the one never below the other was taken as it, the other as the Average (name the Ids max and avg to be sure).`);
  }
  // The AWS CLI joins the pages of an auto-paginated result (each Id once per page, PartialData on all but the last):
  // points are missing only when a NextToken is left, or an Id's last entry is still partial.
  const last = [...new Map(results.map((r) => [r?.Id, r])).values()];
  if (typeof o.NextToken === 'string' || last.some((r) => r?.StatusCode === 'PartialData')) {
    out.push(`${path} is one page of a paginated result (NextToken, or PartialData): points are missing; export it whole (without --max-items).`);
  }
  const failed = last.filter((r) => typeof r?.StatusCode === 'string' && !/^(Complete|PartialData)$/.test(r.StatusCode));
  if (failed.length > 0) {
    out.push(`${path}: the ${failed.map((r) => `${typeof r.Id === 'string' ? r.Id : '?'} query (${String(r.StatusCode)})`).join(', ')} did not complete: its values may be missing.`);
  }
  if (dataset.source.startsWith('container-insights') && dataset.unit === 'percent') {
    out.push(
      `${path} holds Container Insights percentages, read as a share of the container's hard limit (or the task memory); their base may be the reservation instead: ` +
        'export ContainerMemoryUtilized (or MemoryUtilized), in Megabytes, to be sure.',
    );
  }
  return out;
}

export async function runTriageCommand(args: TriageArgs, readFile: (path: string) => string): Promise<string> {
  if (!args.input) throw new TriageUsageError('no input file given (try --help)');
  if (args.extra.length > 0) throw new TriageUsageError(`unexpected argument: ${args.extra[0]}`);
  if (!(FORMATS as readonly string[]).includes(args.format)) {
    throw new TriageUsageError(`--format must be one of ${FORMATS.join(', ')}, not "${args.format}"`);
  }
  const format = args.format as Format;
  // By default the whole file up to the kill: whoever ran get-metric-statistics already chose the window.
  const lookbackHours = args.lookbackHours === undefined ? null : Number(args.lookbackHours);
  if (lookbackHours !== null && (!Number.isFinite(lookbackHours) || lookbackHours <= 0 || lookbackHours > 24 * 15)) {
    throw new TriageUsageError(`--lookback-hours must be a number of hours from 1 to 360, not "${args.lookbackHours}"`);
  }

  const input = args.input;
  const parsed = parseWith(input, () => parseTaskInput(notBatch(readJson(input, readFile), input)));
  const definitionPath = args.taskDefinition;
  const taskDefinition: TaskDefinition | null = definitionPath ? parseWith(definitionPath, () => parseTaskDefinition(readJson(definitionPath, readFile))) : null;
  // describe-task-definition output says when the revision was registered (parseTaskDefinition keeps it): AWS/ECS
  // percentages from before then may be shares of another revision's size.
  const registeredAt = taskDefinition?.registeredAt ?? null;
  const datasets: MetricDataset[] = [];
  const fileWarnings: string[] = [];
  let unitDoubted = false;
  for (const [path, as] of [
    [args.metrics, 'aws-ecs'],
    [args.containerInsights, 'container-insights'],
  ] as const) {
    if (!path) continue;
    const json = readJson(path, readFile);
    const dataset = parseWith(path, () => parseMetricStatistics(json, as));
    fileWarnings.push(...metricsFileWarnings(path, json, dataset));
    const doubt = unitDoubt(path, json, dataset, taskDefinition, parsed.tasks[0] ?? null);
    if (doubt) {
      fileWarnings.push(doubt);
      unitDoubted = true;
    }
    const before = registeredAt === null || dataset.unit !== 'percent' ? 0 : dataset.points.filter((p) => p.t < registeredAt).length;
    if (before > 0 && before < dataset.points.length) {
      fileWarnings.push(
        `${path}: ${before} of its ${dataset.points.length} points are from before ${iso(registeredAt!)}, when this task definition revision was registered: ` +
          'they are percentages of the size the tasks had then, read here with this revision\'s. Pass --lookback-hours to leave them out if the size changed.',
      );
    }
    datasets.push(dataset);
  }
  const metrics: RawMemoryMetrics = {
    datasets,
    containerInsights: args.containerInsights ? datasets.some((d) => d.source.startsWith('container-insights') && d.points.length > 0) : null,
  };

  const results = [];
  for (const task of parsed.tasks) {
    const now = killTime(task, datasets);
    const readers = {
      // The given definition stands for the task's own revision, whatever its ARN says.
      describeTaskDefinition: taskDefinition ? async () => taskDefinition : undefined,
      fetchMemoryMetrics: datasets.length ? async () => metrics : undefined,
    };
    const target = classifyKill(task, taskDefinition).target;
    const inWindow = (t: number) => t <= now + 60_000 && (lookbackHours === null || t >= now - lookbackHours * 3_600_000);
    const first = datasets.flatMap((d) => d.points.map((p) => p.t)).filter(inWindow).reduce((a, b) => Math.min(a, b), Infinity);
    const hours = lookbackHours ?? (Number.isFinite(first) ? Math.max(1, Math.ceil((now - first) / 3_600_000)) : 24);
    const evidence = await gatherEvidence(task, target, readers, { now, lookbackHours: hours });
    const metricsWindow = { ...evidence.metrics, datasets: evidence.metrics.datasets.map((d) => ({ ...d, points: d.points.filter((p) => inWindow(p.t)) })) };
    const windowWarnings = metricsWindowWarnings(datasets, now, inWindow);
    const built = buildTriage(task, { ...evidence, warnings: [...evidence.warnings, ...fileWarnings, ...windowWarnings.warnings], metrics: metricsWindow }, { now, lookbackHours: hours });
    if ((windowWarnings.stale || unitDoubted) && built.result.confidence !== 'low') built.result.confidence = 'low';
    results.push(built);
  }
  const skipped = parsed.skipped.map((s) => `tasks[${s.index}] skipped: ${s.reason}`);

  switch (format) {
    case 'json': {
      const docs = results.map(({ result }) => toTriageJson(result));
      return JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2);
    }
    case 'text':
      return [...results.map(({ result }) => renderTriageText(result)), ...skipped].join('\n\n' + '-'.repeat(72) + '\n\n');
    default:
      return results.map(({ result, series }) => renderPreview(format as PreviewFormat, result, series)).join('\n');
  }
}
