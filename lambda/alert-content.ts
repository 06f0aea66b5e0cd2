/**
 * The one rendering core: turns a TriageResult (+ story, series, graph URL) into channel-neutral alert content.
 * Slack, email/SNS and Amazon Q only format what this decides. All strings here are raw (unescaped); each
 * channel escapes for itself. Pure.
 */
import { alertLinks } from './console-links';
import { formatDuration, ordinal, storyMinutes, defaultThreadId, type AlertStory } from './alert-story';
import { renderFixSnippets, renderRuntimeFlag, type FixSnippets } from './fix-snippets';
import { renderSparkline, type Sparkline } from './sparkline';
import type { EvidenceSource, MemorySeries, TriageResult } from './model';

export type { AlertStory } from './alert-story';

export interface AlertInput {
  result: TriageResult;
  /** The memory history behind the evidence (TriageResult does not hold points). */
  series: MemorySeries | null;
  story?: AlertStory | null;
  /** A public (presigned) PNG of the memory graph, when one was rendered. */
  graphUrl?: string | null;
  /** Sparkline / metric-link window; default the evidence hours (at least 1), else 24. */
  lookbackHours?: number;
}

export type AlertKind = 'oom' | 'possible-oom' | 'sigkill' | 'other';

export interface Fact {
  label: string;
  value: string;
}

export interface LimitRow {
  label: string;
  current: number | null;
  recommended: number | null;
  unit: 'MiB' | 'CPU units';
}

export interface AlertLink {
  label: string;
  url: string;
}

export interface AlertContent {
  kind: AlertKind;
  /** Header, untruncated, e.g. "OOM kill: api / web (prod-cluster)" or "5th OOM kill of api/web in 14 min". */
  title: string;
  /** "api / web" */
  subject: string;
  cluster: string;
  service: string | null;
  container: string | null;
  essential: boolean | null;
  /** One or two sentences: what happened. */
  summary: string;
  storyLine: string | null;
  /** Label/value pairs (container, launch type, task definition, pattern, verdict, evidence). */
  facts: Fact[];
  limits: LimitRow[];
  sparkline: Sparkline;
  lookbackHours: number;
  graphUrl: string | null;
  graphAlt: string;
  leakWarning: string | null;
  sigkillCause: string | null;
  fix: FixSnippets | null;
  runtimeLines: string[];
  reasons: string[];
  deadEnds: string[];
  staleNote: string | null;
  warnings: string[];
  suggestions: string[];
  links: AlertLink[];
  context: { account: string | null; region: string | null; time: string; eventId: string | null; version: number | null };
  threadId: string;
  eventType: string;
}

const SOURCE_LABEL: Record<EvidenceSource, string> = {
  'container-insights-container': 'Container Insights (container)',
  'container-insights-task': 'Container Insights (task)',
  'container-insights-service': 'Container Insights (service)',
  'aws-ecs-service': 'AWS/ECS MemoryUtilization (service)',
  none: 'no metrics',
};

export function mib(n: number | null): string {
  return n === null ? 'not set' : `${Math.round(n)} MiB`;
}

function round1(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

function alertKind(result: TriageResult): AlertKind {
  const c = result.classification;
  if (c.verdict === 'oom') return 'oom';
  if (c.verdict === 'possible-oom') return 'possible-oom';
  const target = c.containers.find((v) => v.name === c.target);
  if (target?.kind === 'sigkill' || c.sigkillCause) return 'sigkill';
  return 'other';
}

const KIND_LABEL: Record<AlertKind, string> = {
  oom: 'OOM kill',
  'possible-oom': 'Possible OOM kill',
  sigkill: 'SIGKILL (not OOM)',
  other: 'Container stopped',
};

/** How every renderer is called: the memory history, the ledger's story and the graph, each optional. */
export interface RenderOptions {
  series?: MemorySeries | null;
  story?: AlertStory | null;
  graphUrl?: string | null;
  lookbackHours?: number;
}

/** The alert content for a triage, as every channel renders it. */
export function alertContentFor(result: TriageResult, options: RenderOptions = {}): AlertContent {
  const input: AlertInput = { result, series: options.series ?? null, story: options.story ?? null, graphUrl: options.graphUrl ?? null };
  if (options.lookbackHours !== undefined) input.lookbackHours = options.lookbackHours;
  return buildAlertContent(input);
}

/** The context facts every channel shows last: account, region, time, event id and version. */
export function contextFacts(c: AlertContent, versionPrefix: string): string[] {
  return [
    c.context.account ? `account ${c.context.account}` : null,
    c.context.region ? `region ${c.context.region}` : null,
    c.context.time,
    c.context.eventId ? `event ${c.context.eventId}` : null,
    c.context.version !== null ? `${versionPrefix}${c.context.version}` : null,
  ].filter((x): x is string => x !== null);
}

export function buildAlertContent(input: AlertInput): AlertContent {
  const { result, series } = input;
  const story = input.story ?? null;
  const t = result.task;
  const c = result.classification;
  const kind = alertKind(result);
  const containerName = c.target;
  const verdictOf = c.containers.find((v) => v.name === containerName) ?? null;
  const def = result.taskDefinition?.containers.find((d) => d.name === containerName) ?? null;
  const essential = verdictOf?.essential ?? def?.essential ?? null;
  const owner = t.serviceName ?? t.family ?? t.group ?? 'task';
  const subject = containerName ? `${owner} / ${containerName}` : owner;
  const at = t.stoppedAt ?? t.eventTime ?? result.generatedAt;

  const sidecar = essential === false && (kind === 'oom' || kind === 'possible-oom');
  const label = sidecar ? (kind === 'oom' ? 'Sidecar OOM kill' : 'Possible sidecar OOM kill') : KIND_LABEL[kind];
  let title = `${label}: ${subject} (${t.clusterName})`;
  let storyLine: string | null = null;
  if (story && story.count > 1) {
    const minutes = formatDuration(storyMinutes(story, at));
    const compact = containerName ? `${owner}/${containerName}` : owner;
    title = `${ordinal(story.count)} ${KIND_LABEL[kind]} of ${compact} in ${minutes}`;
    const rate = story.ratePerHour !== null ? ` (${round1(story.ratePerHour)}/h)` : '';
    storyLine = `${ordinal(story.count)} kill of this container in ${minutes}${rate}; first at ${new Date(story.firstSeenAt).toISOString()}.`;
  }

  const exit = verdictOf?.exitCode ?? null;
  const exitText = exit !== null ? ` (exit ${exit})` : '';
  const role = essential === null ? '' : essential ? 'essential ' : 'non-essential (sidecar) ';
  const what =
    kind === 'sigkill'
      ? `The ${role}container ${containerName ?? '?'} was SIGKILLed${exitText}, not killed for memory.`
      : kind === 'other'
        ? `The ${role}container ${containerName ?? '?'} stopped${exitText}.`
        : `The ${role}container ${containerName ?? '?'} was killed for running out of memory${exitText}.`;
  const explanation = verdictOf?.explanation ? ` ${verdictOf.explanation}` : '';
  const taskState = sidecar && t.lastStatus === 'RUNNING' ? ' The task keeps running without it.' : '';
  const summary = `${what}${explanation}${taskState} Verdict: ${c.verdict}, ${c.confidence} confidence.`;

  const a = result.analysis;
  const ev = a.evidence;
  const tdRef = t.family ? `${t.family}:${t.revision ?? '?'}` : (t.taskDefinitionArn ?? 'unknown');
  const facts: Fact[] = [
    { label: 'Container', value: `${containerName ?? 'unknown'} (${essential === null ? 'essential?' : essential ? 'essential' : 'sidecar, non-essential'})` },
    // The capacity provider only where it says more than the launch type (FARGATE_SPOT, an ASG provider), not "FARGATE (FARGATE)".
    { label: 'Launch type', value: `${t.launchType ?? 'unknown'}${t.capacityProviderName && t.capacityProviderName !== t.launchType ? ` (${t.capacityProviderName})` : ''}` },
    { label: 'Task definition', value: tdRef },
    { label: 'Pattern', value: `${a.pattern} (${a.confidence} confidence)` },
  ];
  const evParts = [
    ev.points ? `${ev.points} points over ${round1(ev.hours)} h` : null,
    ev.peakMiB !== null ? `peak ${Math.round(ev.peakMiB)} MiB${ev.censored ? ' (censored at the limit)' : ''}` : null,
    ev.averageMiB !== null ? `avg ${Math.round(ev.averageMiB)} MiB` : null,
    ev.slopeMiBPerHour !== null ? `slope ${ev.slopeMiBPerHour >= 0 ? '+' : ''}${round1(ev.slopeMiBPerHour)} MiB/h` : null,
  ].filter((x): x is string => x !== null);
  facts.push({ label: 'Evidence', value: evParts.length ? `${SOURCE_LABEL[ev.source]}\n${evParts.join(', ')}` : SOURCE_LABEL[ev.source] });

  const rec = result.recommendation;
  const cur = rec?.current ?? {
    memory: def?.memory ?? verdictOfMemory(result, containerName, 'memory'),
    memoryReservation: def?.memoryReservation ?? verdictOfMemory(result, containerName, 'memoryReservation'),
    taskMemory: result.taskDefinition?.memory ?? t.memory,
    taskCpu: result.taskDefinition?.cpu ?? t.cpu,
  };
  const limits: LimitRow[] = [
    { label: 'Memory (hard)', current: cur.memory, recommended: rec?.memory ?? null, unit: 'MiB' },
    { label: 'Memory reservation (soft)', current: cur.memoryReservation, recommended: rec?.memoryReservation ?? null, unit: 'MiB' },
    { label: 'Task memory', current: cur.taskMemory, recommended: rec?.taskMemory ?? null, unit: 'MiB' },
    { label: 'Task CPU', current: cur.taskCpu, recommended: rec?.taskCpu ?? null, unit: 'CPU units' },
  ];

  const lookbackHours = input.lookbackHours ?? (ev.hours > 0 ? Math.max(1, Math.ceil(ev.hours)) : 24);
  const end = t.stoppedAt ?? result.generatedAt;
  const sparkline = renderSparkline(series, {
    limitMiB: series?.ceilingMiB ?? null,
    start: end - lookbackHours * 3_600_000,
    end,
    cells: 48,
  });

  const leakWarning =
    a.pattern === 'leak'
      ? `Memory grows steadily${ev.slopeMiBPerHour !== null ? ` (+${round1(ev.slopeMiBPerHour)} MiB/h)` : ''}: a leak. A bigger limit only delays the next kill${
          a.nextKillEstimateHours !== null ? `, expected in about ${formatDuration(Math.round(a.nextKillEstimateHours * 60))} at this rate` : ''
        }. Fix the leak${result.runtime?.profiling ? ` (profile with ${result.runtime.profiling})` : ''}.`
      : null;

  const fix = rec ? renderFixSnippets(rec, { task: t, taskDefinition: result.taskDefinition, runtime: result.runtime }) : null;

  const runtimeLines: string[] = [];
  const rt = result.runtime;
  if (rt && (rt.recommendedFlag || rt.problems.length || rt.profiling)) {
    const step = fix?.runtimeFlag ?? renderRuntimeFlag(rt);
    if (step) runtimeLines.push(step);
    runtimeLines.push(...rt.problems);
    if (rt.profiling && a.pattern !== 'leak') runtimeLines.push(`Profiling: ${rt.profiling}`);
  }

  const reasons = [...a.reasons, ...(rec?.reasons ?? [])];
  const s = result.staleRevision;
  const staleNote = s
    ? `This task ran revision ${s.killed}, but the service now runs revision ${s.deployed}${
        s.deployedValues ? ` (memory ${mib(s.deployedValues.memory)}, reservation ${mib(s.deployedValues.memoryReservation)}, task ${mib(s.deployedValues.taskMemory)})` : ''
      }: the fix may already be deployed. Compare before applying.`
    : null;

  const links = alertLinks(result, series, lookbackHours);
  const linkList: AlertLink[] = [];
  if (links.task) linkList.push({ label: 'Task', url: links.task });
  if (links.service) linkList.push({ label: 'Service', url: links.service });
  if (links.logs) linkList.push({ label: 'Logs', url: links.logs });
  if (links.metric) linkList.push({ label: 'Memory metric', url: links.metric });

  const threadId =
    story?.threadId ?? defaultThreadId({ clusterName: t.clusterName, serviceName: t.serviceName, family: t.family, container: containerName });

  return {
    kind,
    title,
    subject,
    cluster: t.clusterName,
    service: t.serviceName,
    container: containerName,
    essential,
    summary,
    storyLine,
    facts,
    limits,
    sparkline,
    lookbackHours,
    graphUrl: input.graphUrl ?? null,
    graphAlt: `Memory of ${containerName ?? owner} over ${lookbackHours} h${series?.ceilingMiB ? ` with its ${Math.round(series.ceilingMiB)} MiB limit` : ''}`,
    leakWarning,
    sigkillCause: c.sigkillCause,
    fix,
    runtimeLines,
    reasons,
    deadEnds: rec?.deadEnds ?? [],
    staleNote,
    warnings: result.warnings,
    suggestions: result.suggestions,
    links: linkList,
    context: {
      account: t.accountId,
      region: t.region,
      time: new Date(at).toISOString(),
      eventId: t.eventId,
      version: t.version,
    },
    threadId,
    eventType: kind === 'sigkill' ? 'EcsContainerSigkill' : kind === 'other' ? 'EcsContainerStopped' : 'EcsContainerOomKill',
  };
}

function verdictOfMemory(result: TriageResult, name: string | null, key: 'memory' | 'memoryReservation'): number | null {
  return result.task.containers.find((c) => c.name === name)?.[key] ?? null;
}

/** "1792 → 2560 MiB", "1024 MiB (unchanged)", "not set → 1664 MiB". */
export function limitChange(row: LimitRow): string {
  const unit = row.unit === 'MiB' ? ' MiB' : '';
  const cur = row.current === null ? 'not set' : `${row.current}`;
  if (row.recommended === null) return row.current === null ? 'not set' : `${row.current}${unit} (unchanged)`;
  if (row.recommended === row.current) return `${row.current}${unit} (unchanged)`;
  return `${cur} → ${row.recommended}${unit}`;
}
