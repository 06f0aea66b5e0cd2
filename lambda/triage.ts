/**
 * The triage core, shared by the Lambda and the offline `triage` command:
 * gather the evidence (task definition, memory history, deployed revision) concurrently through injected
 * readers, then build the `TriageResult` purely: classify, analyse the memory pattern, recommend, advise the
 * runtime flags, and say what is uncertain.
 */
import { classifyKill } from './classify-kill';
import { effectiveTask } from './effective-task-definition';
import { errorMessage } from './errors';
import { analyzeMemory, estimateNextKillHours } from './memory-pattern';
import { containerInsightsCommand, type MetricsQuery, type RawMemoryMetrics, selectMemorySeries } from './memory-metrics';
import type {
  Confidence,
  KillClassification,
  MemoryPoint,
  MemorySeries,
  MemoryValues,
  TaskDefinition,
  TaskSnapshot,
  TriageResult,
} from './model';
import { recommendMemory } from './recommend-memory';
import { adviseRuntime, runtimeInputOf } from './runtime-flags';

/** The I/O the triage needs. The Lambda passes SDK-backed readers; `triage` passes file-backed ones. */
export interface EvidenceReaders {
  describeTaskDefinition?: (taskDefinitionArn: string) => Promise<TaskDefinition>;
  fetchMemoryMetrics?: (query: MetricsQuery) => Promise<RawMemoryMetrics>;
  deployedTaskDefinitionArn?: (clusterArn: string, serviceName: string) => Promise<string | null>;
}

export interface Evidence {
  taskDefinition: TaskDefinition | null;
  metrics: RawMemoryMetrics;
  deployed: TaskDefinition | null;
  warnings: string[];
}

export interface TriageOptions {
  /** The moment the analysis looks back from: the kill (the memory history ends there). */
  now: number;
  lookbackHours: number;
  /** When the result is produced, if later than `now` (a late or retried invocation). @default now */
  generatedAt?: number;
}

async function settle<T>(label: string, warnings: string[], run: (() => Promise<T>) | null): Promise<T | null> {
  if (!run) return null;
  try {
    return await run();
  } catch (error) {
    warnings.push(`${label} failed: ${errorMessage(error)}`);
    return null;
  }
}

/**
 * Read the evidence for one task. The task definition, the metrics and the service's deployed revision are
 * independent, so they run concurrently; only a stale revision's definition waits for the service. A failed read
 * becomes a warning and lowers confidence; it never stops the alert.
 */
export async function gatherEvidence(
  task: TaskSnapshot,
  container: string | null,
  readers: EvidenceReaders,
  options: TriageOptions,
): Promise<Evidence> {
  const warnings: string[] = [];
  const { describeTaskDefinition, fetchMemoryMetrics, deployedTaskDefinitionArn } = readers;
  const [taskDefinition, metrics, deployedArn] = await Promise.all([
    settle('DescribeTaskDefinition', warnings, task.taskDefinitionArn && describeTaskDefinition
      ? () => describeTaskDefinition(task.taskDefinitionArn as string)
      : null),
    settle('GetMetricData', warnings, container && fetchMemoryMetrics
      ? () => fetchMemoryMetrics({ task, container, lookbackHours: options.lookbackHours, now: options.now })
      : null),
    settle('DescribeServices', warnings, task.serviceName && deployedTaskDefinitionArn
      ? () => deployedTaskDefinitionArn(task.clusterArn, task.serviceName as string)
      : null),
  ]);
  let deployed: TaskDefinition | null = null;
  if (deployedArn && deployedArn !== task.taskDefinitionArn && describeTaskDefinition) {
    deployed = await settle('DescribeTaskDefinition (deployed revision)', warnings, () => describeTaskDefinition(deployedArn));
  }
  return { taskDefinition, metrics: metrics ?? { datasets: [], containerInsights: null }, deployed, warnings };
}

/**
 * KRR's minimum history (3 h; BY_CONFIDENCE's and the pattern's medium bar): a revision registered less than this
 * before the kill has shown less than that of its own usage.
 */
export const NEW_REVISION_HOURS = 3;

/**
 * The killed revision, when it was registered inside the history (points before it: an earlier revision's) and under
 * NEW_REVISION_HOURS before the kill. `registeredAt` bounds how long its tasks can have run: none starts before it.
 * Null when it is unknown, older, or not before the kill (a malformed value), and when the definition read cannot be
 * the killed task's: another revision (the CLI's file may be the family's latest), or registered after the task
 * started. Pure.
 */
export function newRevision(
  registeredAt: number | undefined,
  revision: number | null,
  points: readonly MemoryPoint[],
  now: number,
  task: { startedAt: number | null; revision: number | null } = { startedAt: null, revision: null },
): { revision: number | null; minutes: number } | null {
  if (registeredAt === undefined || !(registeredAt > (points[0]?.t ?? Infinity))) return null;
  if ((task.revision !== null && revision !== null && task.revision !== revision) || registeredAt > (task.startedAt ?? Infinity)) return null;
  const minutes = (now - registeredAt) / 60_000;
  return minutes >= 0 && minutes < NEW_REVISION_HOURS * 60 ? { revision, minutes } : null;
}

const ORDER: Confidence[] = ['low', 'medium', 'high'];
/** The lowest of the confidences given. */
export function lowest(...values: Confidence[]): Confidence {
  return values.reduce((a, b) => (ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b), 'high');
}

function valuesOf(def: TaskDefinition | null, container: string): MemoryValues | null {
  if (!def) return null;
  const c = def.containers.find((x) => x.name === container);
  return { memory: c?.memory ?? null, memoryReservation: c?.memoryReservation ?? null, taskMemory: def.memory, taskCpu: def.cpu };
}

/** The task memory the other containers take: each one's hard limit, else its reservation. */
function othersTake(containers: readonly { name: string; memory: number | null; memoryReservation: number | null }[], name: string | null): number {
  return containers.filter((c) => c.name !== name).reduce((sum, c) => sum + (c.memory ?? c.memoryReservation ?? 0), 0);
}

/** Build the triage result from the evidence. Pure. Returns the series too, for the sparkline and the graph. */
export function buildTriage(input: TaskSnapshot, evidence: Evidence, options: TriageOptions): { result: TriageResult; series: MemorySeries } {
  const { deployed } = evidence;
  // Overrides and the event's own limits win over the task definition: the fix is for what ran.
  const { task, taskDefinition, notes: ranWith } = effectiveTask(input, evidence.taskDefinition);
  const warnings = [...(task.parseWarnings ?? []).map((w) => `Input: ${w}.`), ...evidence.warnings, ...ranWith];
  const suggestions: string[] = [];
  let classification: KillClassification = classifyKill(task, taskDefinition);
  const target = classification.target;
  const { series, notes } = target
    ? selectMemorySeries(evidence.metrics, { task, taskDefinition, container: target })
    : { series: { source: 'none', scope: 'none', periodSeconds: 60, points: [], ceilingMiB: null } as MemorySeries, notes: [] as string[] };
  // The kill proves the demand reached the killed container's limit. In a task- or service-scope series that limit is
  // the series' ceiling only when the container is alone in its task; beside others, the task's usage at the kill is
  // unknown (the ceiling then only says whether the series was censored).
  const alone = (taskDefinition?.containers.length ?? task.containers.length) <= 1;
  const eventContainer = task.containers.find((c) => c.name === target) ?? null;
  const containerDef = taskDefinition?.containers.find((c) => c.name === target) ?? null;
  const ownLimit = containerDef?.memory ?? eventContainer?.memory ?? null;
  const killProvesCeiling = classification.verdict !== 'not-oom' && (alone || (series.scope === 'container' && ownLimit !== null));
  const analysis = analyzeMemory(series, { limitMiB: killProvesCeiling ? series.ceilingMiB : null, now: options.now });
  analysis.reasons = [...notes, ...analysis.reasons];

  const targetVerdict = classification.containers.find((c) => c.name === target) ?? null;
  let kind = targetVerdict?.kind ?? null;
  // The SIGKILLed container's memory at its limit makes it an OOM kill, at the given verdict and confidence: the note
  // is its explanation, and nothing says any more that memory is not the problem.
  const asOom = (verdict: KillClassification['verdict'], confidence: Confidence, note: string): void => {
    kind = 'oom-killed';
    classification = {
      ...classification,
      verdict,
      confidence,
      sigkillCause: null,
      containers: classification.containers.map((c) => (c.name === target ? { ...c, explanation: note } : c)),
      notes: [...classification.notes.filter((n) => !n.startsWith('SIGKILL without')), note],
    };
  };
  // An unexplained SIGKILL whose memory sat at the limit is an OOM whose reason string was lost.
  if (classification.verdict === 'possible-oom' && kind === 'sigkill' && analysis.evidence.censored) {
    asOom('oom', 'medium', 'Exit 137 with no OOM reason, but memory peaked at the limit: treated as an OOM kill.');
  }

  if (classification.verdict === 'not-oom' && kind === 'sigkill' && analysis.evidence.censored) {
    // Every essential container that exited first exited 0, which is also how one answers ECS's SIGTERM after this one
    // died first; with this container's own memory at its own limit (not a whole task's at the task's), the event
    // cannot tell the two stories apart.
    if (/^The essential container( [\w-]+ \(exit 0\),?)+ exited/.test(classification.sigkillCause ?? '') && series.ceilingMiB === ownLimit) {
      asOom('possible-oom', 'low', 'Its memory was at the limit when an essential container exited 0: it may have died first.');
    } else {
      warnings.push(`Not an OOM by the event, but ${target ?? 'the container'}'s memory peaked at its limit too: it may be the next OOM. See the memory pattern.`);
    }
  }
  const sized = target && (kind === 'oom-killed' || kind === 'oom-at-start') && classification.verdict !== 'not-oom';
  // A release killed soon after it was registered: the history is mostly the previous revision's, so the pattern read
  // from it says less about this one (one confidence step lower, which the fix's headroom follows).
  const fresh = sized
    ? newRevision(taskDefinition?.registeredAt, taskDefinition?.revision ?? task.revision, series.points, options.now, { startedAt: task.startedAt, revision: task.revision ?? null })
    : null;
  if (fresh && analysis.confidence !== 'low') {
    // Said beside the pattern's own "confidence high: 24 h and ..." line, which would otherwise contradict it.
    analysis.confidence = analysis.confidence === 'high' ? 'medium' : 'low';
    analysis.reasons.push(`confidence ${analysis.confidence}, one step lower: the revision is new (see the fix)`);
  }
  const recommendation =
    target && kind && classification.verdict !== 'not-oom'
      ? recommendMemory({
          container: target,
          kind,
          launchType: task.launchType,
          taskDefinition,
          eventContainer,
          eventContainers: task.containers,
          eventTaskMemory: task.memory,
          eventTaskCpu: task.cpu,
          analysis,
          seriesScope: series.scope,
          newRevision: fresh,
        })
      : null;

  // A leak's next kill, at the proposed limit (issue: "raising the limit only delays it"). The series must measure
  // the container itself (container scope, or a task with one container) for the estimate to mean anything.
  const containerCount = taskDefinition?.containers.length ?? task.containers.length;
  if (recommendation?.memory != null && analysis.pattern === 'leak' && (series.scope === 'container' || containerCount <= 1)) {
    const proposed = recommendation.memory;
    const atProposed = estimateNextKillHours(analysis, proposed);
    if (atProposed !== null) {
      analysis.reasons.push(
        `at the proposed ${proposed} MiB the leak reaches the limit about ${atProposed.toFixed(1)} h after a restart ` +
          `(${analysis.nextKillEstimateHours === null ? 'unknown' : `${analysis.nextKillEstimateHours.toFixed(1)} h`} at the current limit)`,
      );
      analysis.nextKillEstimateHours = atProposed;
      analysis.nextKillAtMiB = proposed;
    }
  }
  // The memory the runtime sees as its own: the container's hard limit (the proposed one when there is a fix), or the
  // task's memory when it is alone in the task. A container sharing the task's memory has none of its own: no heap
  // percentage is sized from the task's.
  const currentLimit = containerDef?.memory ?? eventContainer?.memory ?? (alone ? (taskDefinition?.memory ?? task.memory ?? null) : null);
  const heapLimit = recommendation ? (recommendation.memory ?? (alone ? recommendation.taskMemory : null)) : currentLimit;
  // Without a hard limit of its own, the most it can have is what the others leave of the task (after the fix).
  const taskAfter = recommendation?.taskMemory ?? taskDefinition?.memory ?? task.memory ?? null;
  const sharedMiB = heapLimit === null && taskAfter !== null && taskDefinition ? Math.max(0, taskAfter - othersTake(taskDefinition.containers, target)) : null;
  const advice = target ? adviseRuntime(runtimeInputOf(containerDef, eventContainer?.image ?? null), heapLimit, sharedMiB) : null;
  // A SIGKILL that is not an OOM is about SIGTERM handling: heap flags would only distract from the fix.
  const runtime = advice && classification.verdict === 'not-oom' ? { ...advice, recommendedFlag: null, alsoRemove: [], removeElsewhere: [], problems: [] } : advice;

  let staleRevision: TriageResult['staleRevision'] = null;
  if (deployed && deployed.revision !== null && task.revision !== null && deployed.revision > task.revision && deployed.taskDefinitionArn) {
    const deployedValues = target ? valuesOf(deployed, target) : null;
    staleRevision = { killed: task.revision, deployed: deployed.revision, deployedTaskDefinitionArn: deployed.taskDefinitionArn, deployedValues };
    const already =
      recommendation?.memory != null && deployedValues?.memory != null && deployedValues.memory >= recommendation.memory
        ? ` Revision ${deployed.revision} already gives ${target} ${deployedValues.memory} MiB (recommended ${recommendation.memory}): the fix may be deployed.`
        : '';
    warnings.push(
      `The service already runs ${deployed.family}:${deployed.revision}, newer than the killed task's revision ${task.revision}.${already} ` +
        'Compare the recommendation with what is deployed now before changing anything.',
    );
  }

  if (target && evidence.metrics.containerInsights !== true && !series.source.startsWith('container-insights')) {
    suggestions.push(
      `Turn on Container Insights with enhanced observability for per-container memory: ${containerInsightsCommand(task)}`,
    );
  }
  if (recommendation?.memory != null && task.launchType === 'FARGATE' && recommendation.taskMemory) {
    const proposedMemory = recommendation.memory;
    // Fargate bills the task size, not the container limits: unassigned task memory is free headroom.
    const ceiling = recommendation.taskMemory - othersTake(taskDefinition?.containers ?? task.containers, recommendation.container);
    if (ceiling - proposedMemory >= 128) {
      suggestions.push(
        `Fargate bills the task size (${recommendation.taskMemory} MiB), not container limits: ${recommendation.container}'s hard limit ` +
          `could go up to ${ceiling} MiB at no extra cost, for more headroom against the next spike.`,
      );
    }
  }
  if (target && series.source === 'none') {
    warnings.push('No memory metrics were found: the recommendation comes from the limit alone.');
  }
  if (!taskDefinition && task.taskDefinitionArn) warnings.push('The task definition could not be read: limits come from the event only.');
  if (analysis.pattern === 'leak') {
    suggestions.push('A leak: raising the limit only delays the next kill. Profile it and fix the growth.');
  }

  // The verdict's confidence, lowered by thin memory history when there is a fix to trust.
  const confidence = classification.verdict === 'not-oom' ? classification.confidence : lowest(classification.confidence, analysis.confidence);

  const result: TriageResult = {
    task,
    classification,
    taskDefinition,
    analysis,
    runtime,
    recommendation,
    staleRevision,
    suggestions,
    warnings,
    confidence,
    generatedAt: options.generatedAt ?? options.now,
  };
  return { result, series };
}

/** Gather and build, for callers that do not need to interleave other work. */
export async function triageTask(
  task: TaskSnapshot,
  readers: EvidenceReaders,
  options: TriageOptions,
): Promise<{ result: TriageResult; series: MemorySeries }> {
  const target = classifyKill(task).target;
  const evidence = await gatherEvidence(task, target, readers, options);
  return buildTriage(task, evidence, options);
}
