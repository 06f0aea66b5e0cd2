/**
 * The offline `triage` command's two outputs: the documented JSON document and a human report. Pure.
 */
import { renderRuntimeFlag } from './fix-snippets';
import type { TriageResult } from './model';
import { lowest } from './triage';

export interface TriageJson {
  verdict: TriageResult['classification']['verdict'];
  cluster: string;
  service: string | null;
  taskArn: string;
  launchType: string | null;
  containers: { name: string; exitCode: number | null; reason: string | null; kind: string; essential: boolean | null }[];
  target: string | null;
  recommendation: null | {
    container: string;
    /** Null: keep no hard limit (a container that had none, with no usage data to size one). */
    memory: number | null;
    memoryReservation: number | null;
    taskMemory: number | null;
    taskCpu: number | null;
    current: { memory: number | null; memoryReservation: number | null; taskMemory: number | null; taskCpu: number | null };
  };
  confidence: TriageResult['confidence'];
  pattern: TriageResult['analysis']['pattern'];
  evidence: { source: string; points: number; hours: number; peak: number | null; average: number | null; slope: number | null };
  reasons: string[];
  runtime: 'jvm' | 'node' | 'python' | 'go' | 'other' | null;
  runtimeFlag: string | null;
  nextKillEstimateHours: number | null;
  sigkillCause: string | null;
  staleRevision: TriageResult['staleRevision'];
  warnings: string[];
  suggestions: string[];
}

const round = (n: number | null, digits = 1): number | null => (n === null ? null : Number(n.toFixed(digits)));

export function toTriageJson(result: TriageResult): TriageJson {
  const { task, classification, analysis, recommendation, runtime } = result;
  return {
    verdict: classification.verdict,
    cluster: task.clusterName,
    service: task.serviceName,
    taskArn: task.taskArn,
    launchType: task.launchType,
    containers: classification.containers.map(({ name, exitCode, reason, kind, essential }) => ({ name, exitCode, reason, kind, essential })),
    target: classification.target,
    recommendation: recommendation
      ? {
          container: recommendation.container,
          memory: recommendation.memory,
          memoryReservation: recommendation.memoryReservation,
          taskMemory: recommendation.taskMemory,
          taskCpu: recommendation.taskCpu,
          current: recommendation.current,
        }
      : null,
    confidence: result.confidence,
    pattern: analysis.pattern,
    evidence: {
      source: analysis.evidence.source,
      points: analysis.evidence.points,
      hours: round(analysis.evidence.hours, 2) ?? 0,
      peak: round(analysis.evidence.peakMiB),
      average: round(analysis.evidence.averageMiB),
      slope: round(analysis.evidence.slopeMiBPerHour, 2),
    },
    reasons: [...classification.notes, ...analysis.reasons, ...(recommendation?.reasons ?? []), ...(recommendation?.deadEnds ?? []), ...(runtime?.problems ?? [])],
    runtime: runtime?.runtime ?? null,
    runtimeFlag: runtime?.recommendedFlag ? (runtime.runtime === 'go' ? `${runtime.envVar ?? 'GOMEMLIMIT'}=${runtime.recommendedFlag}` : runtime.recommendedFlag) : null,
    nextKillEstimateHours: round(analysis.nextKillEstimateHours, 1),
    sigkillCause: classification.sigkillCause,
    staleRevision: result.staleRevision,
    warnings: result.warnings,
    suggestions: result.suggestions,
  };
}

function mib(n: number | null | undefined): string {
  return n === null || n === undefined ? '-' : `${n} MiB`;
}

/** A plain-text report for a terminal. */
export function renderTriageText(result: TriageResult): string {
  const { task, classification, analysis, recommendation, runtime } = result;
  const lines: string[] = [];
  const where = `${task.clusterName || '?'} / ${task.serviceName ?? task.group ?? 'standalone'}`;
  lines.push(`Task ${task.taskId} (${where}, ${task.launchType ?? 'launch type unknown'}, ${task.family ?? '?'}:${task.revision ?? '?'})`);
  // The verdict's own confidence, as Slack and email give it (the memory pattern's follows on its own line; the
  // `--json` confidence is the lower of the two).
  // Lowered by the CLI (a stale history, a doubted unit) below both the verdict's and the pattern's.
  const floor = lowest(classification.confidence, result.analysis.confidence);
  const lowered = result.confidence !== floor && lowest(floor, result.confidence) === result.confidence;
  lines.push(
    `Verdict: ${classification.verdict.toUpperCase()} (confidence ${classification.confidence})${classification.target ? ` - container ${classification.target}` : ''}` +
      (lowered ? `; overall confidence ${result.confidence} (see the warnings)` : ''),
  );
  lines.push('');
  lines.push('Containers:');
  // A SIGKILL beside an essential container that was OOM-killed is ECS stopping the task because of that OOM (the
  // classifier explains each container's exit on its own, and would call it unexplained).
  const killedBy = classification.containers.find((c) => c.name === classification.target && c.essential === true && (c.kind === 'oom-killed' || c.kind === 'oom-at-start'));
  for (const c of classification.containers) {
    const role = c.essential === null ? '' : c.essential ? ' [essential]' : ' [sidecar]';
    lines.push(`  ${c.name}${role}: ${c.kind}, exit ${c.exitCode ?? '-'}${c.reason ? `, "${c.reason}"` : ''}`);
    lines.push(
      `    ${
        killedBy && c.kind === 'sigkill' && c !== killedBy
          ? `The essential container ${killedBy.name} was OOM-killed, so ECS stopped the task and this one was SIGKILLed (most likely not an OOM of its own).`
          : c.explanation
      }`,
    );
  }
  for (const note of classification.notes) lines.push(`  note: ${note}`);
  if (classification.target) {
    const e = analysis.evidence;
    lines.push('');
    lines.push(`Memory pattern: ${analysis.pattern} (confidence ${analysis.confidence})`);
    lines.push(
      `  source ${e.source}, ${e.points} points over ${e.hours.toFixed(1)} h, peak ${mib(round(e.peakMiB, 0))}, ` +
        `average ${mib(round(e.averageMiB, 0))}, slope ${e.slopeMiBPerHour === null ? '-' : `${e.slopeMiBPerHour.toFixed(1)} MiB/h`}` +
        `${e.censored ? ', censored at the limit' : ''}`,
    );
    for (const reason of analysis.reasons) lines.push(`  - ${reason}`);
    if (analysis.nextKillEstimateHours !== null) {
      const at = analysis.nextKillAtMiB != null ? `the proposed ${analysis.nextKillAtMiB} MiB limit` : 'the current limit';
      lines.push(`  next kill in about ${analysis.nextKillEstimateHours.toFixed(1)} h at ${at}`);
    }
  }
  if (recommendation) {
    const c = recommendation.current;
    lines.push('');
    lines.push(`Recommendation for ${recommendation.container}:          current -> recommended`);
    lines.push(`  memory (hard limit)          ${mib(c.memory).padStart(10)} -> ${recommendation.memory === null ? 'none (keep no hard limit)' : mib(recommendation.memory)}`);
    lines.push(`  memoryReservation (soft)     ${mib(c.memoryReservation).padStart(10)} -> ${mib(recommendation.memoryReservation)}`);
    if (recommendation.taskMemory !== null || c.taskMemory !== null) {
      lines.push(`  task memory                  ${mib(c.taskMemory).padStart(10)} -> ${mib(recommendation.taskMemory ?? c.taskMemory)}`);
      lines.push(`  task cpu                     ${String(c.taskCpu ?? '-').padStart(10)} -> ${recommendation.taskCpu ?? c.taskCpu ?? '-'}`);
    }
    for (const reason of recommendation.reasons) lines.push(`  - ${reason}`);
    for (const deadEnd of recommendation.deadEnds) lines.push(`  ! ${deadEnd}`);
  } else if (classification.sigkillCause) {
    lines.push('');
    lines.push(`No memory change: ${classification.sigkillCause}`);
  }
  if (runtime) {
    lines.push('');
    lines.push(`Runtime: ${runtime.runtime} (from ${runtime.detectedFrom ?? '?'})${runtime.currentFlag ? `, current ${runtime.currentFlag}` : ''}`);
    for (const problem of runtime.problems) lines.push(`  - ${problem}`);
    const step = renderRuntimeFlag(runtime);
    if (step) lines.push(`  ${step}`);
    if (analysis.pattern === 'leak' && runtime.profiling) lines.push(`  profile: ${runtime.profiling}`);
  }
  if (result.warnings.length || result.suggestions.length) lines.push('');
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  for (const s of result.suggestions) lines.push(`suggestion: ${s}`);
  return lines.join('\n');
}
