/**
 * Classify how each container of a task ended: a real OOM kill, an OOM at container start, a SIGKILL that is not
 * an OOM (stopTimeout on a deploy, scale-in, user stop, Spot interruption), or another exit. Pure.
 *
 * Sources (ECS-FACTS.md): the agent's reason string `OutOfMemoryError: Container killed due to memory usage`
 * (matched case-insensitively on the prefix), the start-time form `CannotStartContainerError: ... container init
 * was OOM-killed (memory limit too low?)`, stop codes, and the OOM reason on a container whose main process survived:
 * the agent reports Docker's OOMKilled flag, which an OOM kill of any process in the container sets, so the reason
 * comes with exit 0 when a child was killed (aws/amazon-ecs-agent#2467), and even on a container still running (#5135).
 */
import type {
  Confidence,
  ContainerKind,
  ContainerState,
  ContainerVerdict,
  KillClassification,
  TaskDefinition,
  TaskSnapshot,
} from './model';

const OOM_REASON = /^\s*OutOfMemoryError\b/i;
/** Only ever seen in an AI-generated catalogue; accepted as an alias, never relied upon. */
const OOM_ALIAS = /Task stopped due to OOM/i;
const OOM_AT_START = /OOM-killed|CannotStartContainerError[^\n]*out of memory/i;

export function isOomReason(reason: string | null): boolean {
  return reason !== null && (OOM_REASON.test(reason) || OOM_ALIAS.test(reason));
}

export function isOomAtStartReason(reason: string | null): boolean {
  return reason !== null && OOM_AT_START.test(reason);
}

/** The likely cause of a SIGKILL (137) without an OOM reason, from the task's stop code and reason. */
export function explainSigkill(
  task: TaskSnapshot,
  container: ContainerState,
  essential: boolean | null,
  taskDefinition: TaskDefinition | null = null,
): {
  cause: string;
  /** True when nothing outside the container asked it to stop: the kill came from inside (often memory). */
  unexplained: boolean;
} {
  const reason = task.stoppedReason ?? '';
  // Some real stops come without a stopCode (Fargate Spot interruptions among them: aws/containers-roadmap#797);
  // the stoppedReason then still names who stopped the task.
  // An essential container that exited before the task reached RUNNING is judged like any essential exit: a 137 then
  // may be the kernel OOM killer at start-up (a JVM or a model loading).
  const stopCode =
    task.stopCode === 'TaskFailedToStart' && /^\s*Essential container/i.test(reason) ? 'EssentialContainerExited' : (task.stopCode ?? stopCodeFromReason(reason));
  const inferred = task.stopCode === null && stopCode !== null ? ' (stopCode inferred from the stoppedReason)' : '';
  const stopTimeoutFix =
    'ECS sent SIGTERM, then SIGKILL after stopTimeout (30 s default, at most 120 s on Fargate). The fix is to handle ' +
    'SIGTERM and exit promptly, or raise stopTimeout; more memory will not help.';
  switch (stopCode) {
    case 'ServiceSchedulerInitiated':
      if (/health check/i.test(reason)) {
        return { cause: `The scheduler replaced the task after failed health checks (${reason})${inferred}. ${stopTimeoutFix}`, unexplained: false };
      }
      return {
        cause: `The service scheduler stopped the task (${reason || 'deployment or scale-in'})${inferred}. ${stopTimeoutFix}`,
        unexplained: false,
      };
    case 'UserInitiated':
      return { cause: `A user or API call stopped the task (${reason || 'StopTask'}). ${stopTimeoutFix}`, unexplained: false };
    case 'SpotInterruption':
    case 'TerminationNotice':
      return {
        cause:
          `${task.launchType === 'FARGATE' || task.capacityProviderName?.toUpperCase() === 'FARGATE_SPOT' ? 'Fargate Spot' : 'Spot'} reclaimed the capacity ` +
          `(${task.stopCode ?? `"${reason}"`})${inferred}. The task gets a 2-minute warning and SIGTERM; ${stopTimeoutFix}`,
        unexplained: false,
      };
    case 'InfrastructureHealth':
      return { cause: `ECS stopped the task for infrastructure health (${reason}). ${stopTimeoutFix}`, unexplained: false };
    case 'TaskFailedToStart':
      return { cause: `The task failed to start (${reason}).`, unexplained: false };
    case 'EssentialContainerExited':
      if (essential === false) {
        return {
          cause:
            `Another essential container exited, so ECS stopped this sidecar; it was SIGKILLed after stopTimeout. ` +
            `Look at the essential container's exit first.`,
          unexplained: false,
        };
      }
      {
        // Another essential container that exited on its own (an error or a clean exit, not a kill) stopped the
        // task; this one was then SIGTERMed and SIGKILLed after stopTimeout.
        const exitedFirst = task.containers.filter(
          (c) => c.name !== container.name && c.exitCode !== null && c.exitCode !== 137 && c.exitCode !== 143 && !isOomReason(c.reason),
        );
        const essentialFirst = exitedFirst.filter((c) => essentialOf(c.name, taskDefinition) === true);
        const named = (cs: ContainerState[]): string => cs.map((c) => `${c.name} (exit ${c.exitCode ?? '-'})`).join(', ');
        if (essentialFirst.length > 0) {
          return {
            cause:
              `The essential container ${named(essentialFirst)} exited, so ECS stopped the task: this container was sent SIGTERM, then SIGKILL. ` +
              `Look at why ${essentialFirst[0]?.name ?? 'it'} exited first. ${stopTimeoutFix}`,
            unexplained: false,
          };
        }
        if (exitedFirst.length > 0 && taskDefinition === null) {
          return {
            cause:
              `Exit 137 (SIGKILL) with no OOM reason. ${named(exitedFirst)} exited too: if it is essential, its exit stopped the task and this ` +
              `container was SIGKILLed after stopTimeout (not memory); otherwise the kernel OOM killer or a process inside sent it. ` +
              `The task definition tells which containers are essential.`,
            unexplained: true,
          };
        }
      }
      break;
    default:
      break;
  }
  return {
    cause:
      `Exit 137 (SIGKILL) with no OOM reason and no stop initiated by ECS, a user or Spot. The kernel OOM killer ` +
      `(a child process, or a reason string that was lost) or a process inside the container sent it. ` +
      `Check the container's logs and memory graph.`,
    unexplained: true,
  };
}

/**
 * The stop code a stoppedReason implies, for events that carry no stopCode: only reasons ECS itself writes
 * (ECS-FACTS.md): a Spot interruption, a scheduler's scaling activity, failed health checks; and the container
 * instance going away (`Host EC2 (instance i-…) terminated.`).
 */
export function stopCodeFromReason(reason: string): 'SpotInterruption' | 'ServiceSchedulerInitiated' | 'InfrastructureHealth' | null {
  if (/^\s*Your Spot Task was interrupted/i.test(reason)) return 'SpotInterruption';
  if (/^\s*Host EC2 \(instance/i.test(reason)) return 'InfrastructureHealth';
  if (/^\s*Scaling activity initiated by\b/i.test(reason) || /^\s*Task failed (?:ELB|container) health checks\b/i.test(reason)) return 'ServiceSchedulerInitiated';
  return null;
}

/** The task definition is known and caps neither the container nor the task (EC2 with only a soft limit). */
function noHardLimit(task: TaskSnapshot, container: ContainerState, taskDefinition: TaskDefinition | null): boolean {
  const def = taskDefinition?.containers.find((c) => c.name === container.name);
  return def !== undefined && def.memory === null && container.memory === null && (taskDefinition?.memory ?? task.memory) === null;
}

function essentialOf(name: string, taskDefinition: TaskDefinition | null): boolean | null {
  const def = taskDefinition?.containers.find((c) => c.name === name);
  return def ? def.essential : null;
}

interface Classified {
  verdict: ContainerVerdict;
  /** How strongly this container points to an OOM: 3 certain, 2 likely, 1 possible, 0 none. */
  oomWeight: number;
  sigkillCause: string | null;
}

function classifyContainer(task: TaskSnapshot, container: ContainerState, taskDefinition: TaskDefinition | null): Classified {
  const essential = essentialOf(container.name, taskDefinition);
  const { exitCode, reason, lastStatus } = container;
  const base = { name: container.name, exitCode, reason, essential };
  const running = lastStatus !== null && /^(RUNNING|PENDING|PROVISIONING|ACTIVATING)$/i.test(lastStatus);
  const make = (kind: ContainerKind, explanation: string, oomWeight: number, sigkillCause: string | null = null): Classified => ({
    verdict: { ...base, kind, explanation },
    oomWeight,
    sigkillCause,
  });

  if (isOomAtStartReason(reason)) {
    return make('oom-at-start', 'Killed by the OOM killer while starting: the memory limit is below the start-up footprint.', 3);
  }
  if (isOomReason(reason)) {
    if (exitCode === 0) {
      // The agent reports Docker's OOMKilled flag, which an OOM kill of any process in the container sets: a child
      // (a build's worker JVM, a pool's worker) was killed at the limit while the main process finished (#2467).
      return make(
        'oom-killed',
        'A process in the container, not its main one (which later exited 0), was OOM-killed at the memory limit: the OOM reason ' +
          'is Docker\'s OOMKilled flag, which any process sets (build and worker children: amazon-ecs-agent#2467).',
        2,
      );
    }
    if (running && exitCode === null) {
      return make(
        'running',
        'OOM reason on a container still running: a process in it was OOM-killed and the main one survived (amazon-ecs-agent#5135); check `docker inspect` on the host.',
        1,
      );
    }
    if (exitCode === 137 || exitCode === null) {
      return make(
        'oom-killed',
        exitCode === 137
          ? noHardLimit(task, container, taskDefinition)
            ? 'Killed by the kernel OOM killer (exit 137). It has no hard limit and the task no memory size: the instance ran out of memory.'
            : 'Killed by the kernel OOM killer at its memory limit (exit 137).'
          : 'Killed for memory usage (the OOM reason, no exit code reported).',
        exitCode === 137 ? 3 : 2,
      );
    }
    return make('oom-killed', `OOM reason with exit code ${exitCode}: the process died under memory pressure.`, 2);
  }
  if (exitCode === 137) {
    const { cause, unexplained } = explainSigkill(task, container, essential, taskDefinition);
    return make('sigkill', cause, unexplained ? 1 : 0, cause);
  }
  if (exitCode === null) {
    if (running || lastStatus === null) return make('running', 'Still running (no exit code).', 0);
    return make('exited', 'Stopped without an exit code.', 0);
  }
  const meaning: Record<number, string> = {
    0: 'Exited cleanly (0).',
    1: 'Exited with an application error (1).',
    139: 'Segmentation fault (139, SIGSEGV); log routers sometimes die this way under memory pressure.',
    143: 'Stopped by SIGTERM and exited in time (143): not a kill.',
  };
  return make('exited', meaning[exitCode] ?? `Exited with code ${exitCode}.`, 0);
}

/**
 * An OOM reported only in the task's `stoppedReason` (a task that failed to start has `CannotStartContainerError:
 * ... container init was OOM-killed` there; the OOM reason can sit there too) with no container reporting one: it is
 * attributed to the one container it can be, the only stopped container with exit 137 or no exit code (essential
 * ones first), at medium confidence. With several such containers it stays a possible OOM.
 */
function attributeTaskLevelOom(task: TaskSnapshot, classified: Classified[], notes: string[]): void {
  const reason = task.stoppedReason;
  const atStart = isOomAtStartReason(reason);
  if (!reason || !(atStart || isOomReason(reason)) || classified.some((c) => c.oomWeight >= 2)) return;
  const stopped = classified.filter((c) => c.verdict.kind !== 'running' && (c.verdict.exitCode === 137 || c.verdict.exitCode === null));
  const essential = stopped.filter((c) => c.verdict.essential !== false);
  const pool = classified.length === 1 ? classified : essential.length > 0 ? essential : stopped;
  const c = pool[0];
  if (!c) return;
  const kind: ContainerKind = atStart ? 'oom-at-start' : 'oom-killed';
  if (pool.length > 1) {
    // Several could be it: the first in the event's order (usually the application, listed first) at low confidence, so
    // the OOM is still reported.
    c.verdict = {
      ...c.verdict,
      kind,
      explanation: `The task-level stoppedReason reports an OOM${atStart ? ' at start' : ''}, but no container says which; ${c.verdict.name} is the first of ${pool.map((x) => x.verdict.name).join(', ')}.`,
    };
    c.oomWeight = 1;
    c.sigkillCause = null;
    notes.push(`The task's stoppedReason reports an OOM, but ${pool.length} containers could be the one: ${pool.map((x) => x.verdict.name).join(', ')}; the alert assumes ${c.verdict.name}.`);
    return;
  }
  c.verdict = {
    ...c.verdict,
    kind,
    explanation:
      (atStart
        ? 'Killed by the OOM killer while starting (the task-level stoppedReason says so): the memory limit is below the start-up footprint.'
        : 'Killed for memory usage: the task-level stoppedReason reports the OOM.') +
      ` No container reason says which container; ${c.verdict.name} is the only ${classified.length === 1 ? 'container' : 'stopped container that can be it'}.`,
  };
  c.oomWeight = 2;
  c.sigkillCause = null;
  notes.push(`The OOM is reported in the task's stoppedReason, not on a container: "${reason.slice(0, 300)}". Attributed to ${c.verdict.name}.`);
}

/**
 * Classify the task's containers and pick the one the alert is about.
 * Confidence: high for exit 137 with the OOM reason or an OOM at start; medium for the OOM reason without an exit
 * code, an unexplained 137, or a child process OOM-killed in a container that exited 0; low for the OOM reason on a
 * container still running.
 */
export function classifyKill(task: TaskSnapshot, taskDefinition: TaskDefinition | null = null): KillClassification {
  const classified = task.containers.map((c) => classifyContainer(task, c, taskDefinition));
  const notes: string[] = [];
  attributeTaskLevelOom(task, classified, notes);
  const strongest = classified.reduce<Classified | null>((best, c) => {
    if (!best) return c.oomWeight > 0 ? c : null;
    if (c.oomWeight > best.oomWeight) return c;
    // Equal weight: prefer the essential container, it is what took the task down.
    if (c.oomWeight === best.oomWeight && c.verdict.essential === true && best.verdict.essential !== true) return c;
    return best;
  }, null);
  const sigkilled = classified.find((c) => c.verdict.kind === 'sigkill') ?? null;
  if (task.containers.length === 0) notes.push('The event lists no containers; nothing to classify.');

  let verdict: KillClassification['verdict'] = 'not-oom';
  let confidence: Confidence = 'high';
  if (strongest && strongest.oomWeight >= 2) {
    verdict = 'oom';
    confidence = strongest.oomWeight === 3 ? 'high' : 'medium';
  } else if (strongest && strongest.oomWeight === 1) {
    verdict = 'possible-oom';
    confidence = strongest.verdict.kind === 'sigkill' ? 'medium' : 'low';
  } else if (task.stoppedReason && (isOomReason(task.stoppedReason) || isOomAtStartReason(task.stoppedReason))) {
    verdict = 'possible-oom';
    confidence = 'low';
    notes.push(`The task's stoppedReason mentions an OOM but no container does: "${task.stoppedReason}".`);
  }
  const others = classified.filter((c) => c.oomWeight >= 2).length;
  if (others > 1) notes.push(`${others} containers were OOM-killed; the alert is about ${strongest?.verdict.name}.`);
  if (verdict === 'not-oom' && sigkilled) notes.push(`SIGKILL without OOM: ${sigkilled.sigkillCause ?? ''}`);

  const target = strongest && strongest.oomWeight > 0 ? strongest.verdict.name : (sigkilled?.verdict.name ?? null);
  return {
    verdict,
    confidence,
    containers: classified.map((c) => c.verdict),
    target,
    sigkillCause: verdict === 'not-oom' ? (sigkilled?.sigkillCause ?? null) : null,
    notes,
  };
}
