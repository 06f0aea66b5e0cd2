/**
 * The memory fix for an OOM-killed container: new hard limit (`memory`), soft limit (`memoryReservation`) and, when
 * the task has a task-level size, the task memory/cpu that fits them.
 *
 * The observed peak is censored at the old limit (a killed container never shows usage above it), so the peak alone
 * gives a fix that is too small. The rules combined here, each named in the reasons:
 * - VPA's OOM bump: max(used + 100 MiB, used × 1.2), used = max(request, recent peak); bumps don't compound.
 * - KRR's OOM rule: max(peak × 1.15, limit at the OOM × 1.25).
 * - The excursion rule (this project): the kill proves demand rose from the usual level B to at least the limit L;
 *   the next excursion is sized as B + k × (L − B), k by confidence (chronic) or 1.3 for a load cycle. It keeps chronic
 *   containers (B near L) from being over-provisioned.
 * - Bursts (BURST_LIMIT): 1.5 × L − 0.1 × B, which covers bursts (B far below L) that a flat 25 % would not.
 * - Too little history for a pattern: KRR's OOM rule; the smaller of VPA's and KRR's when usage sat near the limit.
 * - A task- or service-scope series is attributed to the killed container as usage minus the others' reservations,
 *   and never above the container's own hard limit (it cannot use more).
 * - Uncensored peaks (task/service series) get the 15 % KRR headroom.
 *
 * Pure: no I/O.
 */
import { CENSORED_SHARE, CHRONIC_SHARE, estimateNextKillHours, fmt, SUSTAINED_RISE_MINUTES } from './memory-pattern';
import { FARGATE_MAX_MEMORY_MIB, fargateTaskSize, needsFargateSize } from './fargate-sizes';
import type {
  Confidence,
  ContainerKind,
  ContainerState,
  LaunchType,
  MemoryValues,
  PatternAnalysis,
  Recommendation,
  TaskDefinition,
} from './model';

export interface RecommendInput {
  /** The killed container. */
  container: string;
  kind: ContainerKind;
  launchType: LaunchType | null;
  /** May be null: then the event's values below are used. */
  taskDefinition: TaskDefinition | null;
  /** Limits from the event (memory/memoryReservation) when known. */
  eventContainer: ContainerState | null;
  /** Every container the event lists: the other containers' limits when the task definition could not be read. */
  eventContainers?: readonly ContainerState[];
  eventTaskMemory: number | null;
  eventTaskCpu: number | null;
  /** From analyzeMemory over the series (whose scope may be task/service). */
  analysis: PatternAnalysis;
  seriesScope: 'container' | 'task' | 'service' | 'none';
  /**
   * The killed revision was registered inside the history, under NEW_REVISION_HOURS before the kill (triage.ts
   * `newRevision`): its number and how long before the kill. The history before it is an earlier revision's.
   */
  newRevision?: { revision: number | null; minutes: number } | null;
}

/** Container memory is proposed in multiples of this many MiB. */
export const MEMORY_STEP_MIB = 16;
/** Excursion multiplier of a chronic container: the next excursion above the usual level, relative to the one that killed. */
export const EXCURSION_FACTOR = { chronic: 1.6 } as const;
/**
 * Bursts (spike pattern, or a lone burst in a short history): next week's largest burst is sized from the limit it
 * killed at, perLimit × the limit less perBase × the usual level, not from how high the history's other bursts rose:
 * the factor the next kill needed barely depends on their number or spread (one to three days show too few of them),
 * so sizing from them spent headroom where they rose high and skimped where they stayed low.
 */
export const BURST_LIMIT = { perLimit: 1.5, perBase: 0.1 } as const;
/**
 * A load cycle's next top, relative to the rise that killed: daily tops differ from day to day by tens of percent.
 * When the history shows no earlier top (the kill's is the only one), how much they differ is unknown: the chronic
 * factor applies.
 */
export const CYCLE_EXCURSION = 1.3;
/**
 * Less history, more headroom: under 24 h no daily cycle has been seen (Compute Optimizer wants 24 h), under 3 h
 * barely anything (KRR wants 3 h). Extra excursion factor and the smallest raise (share of the limit at the kill).
 */
export const BY_CONFIDENCE = {
  high: { extra: 0, minRaise: 1.2 },
  medium: { extra: 0.2, minRaise: 1.2 },
  low: { extra: 0.4, minRaise: 1.25 },
} as const;
/** Leak: a modest raise (KRR's OOM factor); it only delays the next kill. */
export const LEAK_RAISE = 1.25;
const roundUp = (n: number, step: number): number => Math.ceil(n / step) * step;

/** VPA's OOM bump (vertical-pod-autoscaler aggregations_config.go): max(used + 100 MiB, used × 1.2). */
export function vpaOomBump(usedMiB: number): number {
  return Math.max(usedMiB + 100, usedMiB * 1.2);
}

/** KRR's simple strategy with OOM data: max(peak × 1.15, limit at the OOM × 1.25). */
export function krrOomRule(peakMiB: number | null, limitAtOomMiB: number | null): number | null {
  const a = peakMiB === null ? null : peakMiB * 1.15;
  const b = limitAtOomMiB === null ? null : limitAtOomMiB * 1.25;
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

/** Next week's largest burst: BURST_LIMIT.perLimit × the limit it killed at, less perBase × the usual level. */
const burstLimit = (used: number, base: number): number => BURST_LIMIT.perLimit * used - BURST_LIMIT.perBase * base;
const burstText = (used: number, base: number, mib: number): string =>
  `${BURST_LIMIT.perLimit} × ${fmt(used)} − ${BURST_LIMIT.perBase} × ${fmt(base)} = ${fmt(mib)} MiB`;

function isFargate(input: RecommendInput): boolean {
  return needsFargateSize(input.launchType, input.taskDefinition?.requiresCompatibilities);
}

interface Sibling {
  name: string;
  memory: number | null;
  memoryReservation: number | null;
}

/** Recommend the memory settings for an OOM-killed container; null for kills that are not OOMs (SIGKILL, exits). */
export function recommendMemory(input: RecommendInput): Recommendation | null {
  if (input.kind !== 'oom-killed' && input.kind !== 'oom-at-start') return null;
  const reasons: string[] = [];
  const deadEnds: string[] = [];
  const fresh = input.newRevision;
  if (fresh) {
    const m = fresh.minutes;
    reasons.push(
      `revision ${fresh.revision ?? '?'} was registered ${m < 90 ? `${Math.round(m)} min` : `${fmt(m / 60)} h`} before the kill; the history before it is the previous revision's, ` +
        `so the fix is sized from the old version's usage: if this release changed the app or its dependencies, check what it added (pattern confidence one step lower)`,
    );
  }
  const td = input.taskDefinition;
  const def = td?.containers.find((c) => c.name === input.container) ?? null;
  const memory = def?.memory ?? input.eventContainer?.memory ?? null;
  const reservation = def?.memoryReservation ?? input.eventContainer?.memoryReservation ?? null;
  const taskMemory = td?.memory ?? input.eventTaskMemory;
  const taskCpu = td?.cpu ?? input.eventTaskCpu;
  const current: MemoryValues = { memory, memoryReservation: reservation, taskMemory, taskCpu };
  const siblings: Sibling[] = (td?.containers ?? input.eventContainers ?? [])
    .filter((c) => c.name !== input.container)
    .map((c) => ({ name: c.name, memory: c.memory, memoryReservation: c.memoryReservation }));
  // Every other container counts by its reservation (what it is promised), else by its hard limit.
  const siblingsReserved = siblings.reduce((s, c) => s + (c.memoryReservation ?? c.memory ?? 0), 0);
  // ... and by its hard limit (else reservation) in the task-memory sum.
  const siblingsHard = siblings.reduce((s, c) => s + (c.memory ?? c.memoryReservation ?? 0), 0);

  // The limit the container was killed at: its hard limit, else the task memory less what the others hold.
  let limit: number | null = memory;
  if (limit === null && taskMemory !== null) {
    limit = Math.max(0, taskMemory - siblingsReserved);
    reasons.push(`no container hard limit: the task memory ${fmt(taskMemory)} MiB less the other containers' ${fmt(siblingsReserved)} MiB = ${fmt(limit)} MiB was the effective limit`);
  }

  // Usage attributed to the killed container.
  const ev = input.analysis.evidence;
  const shared = (input.seriesScope === 'task' || input.seriesScope === 'service') && siblings.length > 0;
  // Task usage minus the others' reservations is this container's only when the others are small beside it: their
  // use above or below what they reserve is the error. With another container that reserves nothing (its share
  // unknown), or others reserving more than this container's own size, the series cannot say what this one used.
  const ownSize = memory ?? reservation ?? limit ?? 0;
  const unknownShare = siblings.filter((c) => c.memoryReservation === null && c.memory === null);
  const swamped = shared && (unknownShare.length > 0 || siblingsReserved > ownSize);
  // Unless the kill anchors the others' part (a sidecar with its own hard limit beside a big app): the killed container
  // was at its hard limit L at the kill, so the others then used the series' peak less L (the peak must reach L to be
  // the kill). When the series' usual level and average sit less than L below that peak, its swing fits inside this
  // container: the others are taken as flat at that level, and this one's usual level is L less the swing (not what the
  // app's reservation, off by more than this container's size, would say). A lost kill sample only shrinks the swing, so
  // that level can come out too high (a smaller fix), never too low.
  // Only when the kill was at its own limit: every other container has a hard limit (their sum fits the task), or the
  // task was not at its own memory (a task-level OOM kills the largest process, below its own limit).
  const ownKill = siblings.every((c) => c.memory !== null) || taskMemory === null || (ev.peakMiB ?? 0) < CENSORED_SHARE * taskMemory;
  const othersAtKill =
    swamped && ownKill && memory !== null && ev.peakMiB !== null && ev.peakMiB >= memory && ev.peakMiB - Math.min(ev.baselineMiB ?? Infinity, ev.averageMiB ?? 0) < memory ? ev.peakMiB - memory : null;
  const unattributable = swamped && othersAtKill === null;
  if (unattributable && ev.points > 0) {
    reasons.push(
      `the series measures the whole ${input.seriesScope === 'task' ? 'task' : "service's tasks"}, and ` +
        (unknownShare.length > 0
          ? `${unknownShare.map((c) => c.name).join(', ')} reserve${unknownShare.length === 1 ? 's' : ''} no memory, so ${input.container}'s part of it is unknown`
          : `the others reserve ${fmt(siblingsReserved)} MiB, more than ${input.container}'s ${fmt(ownSize)} MiB, so their use would swamp ${input.container}'s`) +
        `: sized from the limits alone`,
    );
  }
  const attribute = (v: number | null | undefined): number | null => {
    if (v === null || v === undefined) return null;
    if (!shared) return v;
    // A container with a hard limit never uses more than it: task usage beyond limit + the others' reservations is
    // the others using more than they reserve, not this container.
    const own = Math.max(0, v - (othersAtKill ?? siblingsReserved));
    return memory !== null ? Math.min(own, memory) : own;
  };
  const peak = unattributable ? null : attribute(ev.peakMiB);
  const avg = unattributable ? null : attribute(ev.averageMiB);
  const base = unattributable ? null : attribute(ev.baselineMiB ?? ev.averageMiB);
  if (shared && !unattributable && ev.peakMiB !== null) {
    reasons.push(
      `the series measures the whole ${input.seriesScope === 'task' ? 'task' : "service's tasks"}, not ${input.container}: ` +
        (othersAtKill !== null
          ? `${input.container} was at its ${fmt(ownSize)} MiB hard limit when killed, so the others then used the peak less that, ${fmt(othersAtKill)} MiB (their reservations cannot say), ` +
            `and the series' usual level and average sit less than ${fmt(ownSize)} MiB below its peak: usage attributed as ${input.seriesScope} usage minus ${fmt(othersAtKill)} MiB (the others taken as flat), `
          : `usage attributed as ${input.seriesScope} usage minus the other containers' reservations (${siblings.map((s) => s.name).join(', ')}: ${fmt(siblingsReserved)} MiB), `) +
        `floored at 0` +
        (memory !== null ? ` and capped at ${input.container}'s own ${fmt(memory)} MiB hard limit (it cannot use more)` : '') +
        `: peak ${fmt(peak ?? 0)} MiB, average ${fmt(avg ?? 0)} MiB (the others may use more or less than ${othersAtKill !== null ? 'that' : 'they reserve'})`,
    );
  }
  const hasData = ev.points > 0 && peak !== null;
  // used: what the container is known to have needed. The kill proves it reached the limit.
  const used = Math.max(limit ?? 0, peak ?? 0, reservation ?? 0);

  // No cap anywhere (no container hard limit, no task memory: EC2): the container could use all of the instance's
  // memory, so the kill was the instance running out, not a limit of its own. Without usage data there is nothing to
  // size a hard limit from, and one sized from the reservation could kill it below what it used before.
  if (input.kind === 'oom-killed' && memory === null && taskMemory === null && !hasData && !isFargate(input)) {
    const from = reservation ?? 0;
    const soft = from > 0 ? roundUp(vpaOomBump(from), MEMORY_STEP_MIB) : 512;
    reasons.push(
      `no hard limit and no task memory: this OOM was the instance running out (its tasks together), not a limit of ${input.container}'s own; ` +
        `with no usage data, a cap guessed from the ${fmt(from)} MiB reservation could kill it below what it used: keep none for now`,
      from > 0
        ? `memoryReservation ${fmt(soft)} MiB: VPA's OOM bump of the reservation, max(${fmt(from)} + 100, ${fmt(from)} × 1.2), rounded up, so the scheduler places fewer tasks beside it`
        : 'memoryReservation 512 MiB: a starting point (neither limit was known)',
    );
    deadEnds.push(
      `no hard limit, reservation ${fmt(from)} MiB: tasks are packed by reservation, so the instance runs out when containers use more than they reserve. ` +
        `Measure the real peak (Container Insights), then reserve its average and cap it above the peak`,
    );
    return { container: input.container, memory: null, memoryReservation: soft, taskMemory: null, taskCpu: null, current, reasons, deadEnds };
  }

  // No container in the task has a hard limit and the task has a memory size: the containers share it, and the
  // kernel killed this one when the task as a whole ran out. The fix is the task size; a cap invented for this
  // container (from usage it cannot be told apart from the others') could kill it below what it needs.
  if (input.kind === 'oom-killed' && memory === null && taskMemory !== null && siblings.length > 0 && siblings.every((c) => c.memory === null)) {
    const taskPeak = shared && ev.peakMiB !== null && !ev.censored ? ev.peakMiB : null;
    const needTask = Math.max(taskMemory * 1.25, taskMemory + 100, (taskPeak ?? 0) * 1.15);
    reasons.push(
      `no container in the task has a hard limit: they share its ${fmt(taskMemory)} MiB, so the task ran out as a whole and the kernel killed ${input.container}; ` +
        `the fix is the task size: max(${fmt(taskMemory)} × 1.25, ${fmt(taskMemory)} + 100` +
        (taskPeak !== null ? `, task peak ${fmt(taskPeak)} × 1.15` : '') +
        `) = ${fmt(needTask)} MiB, with no cap for ${input.container} and its reservation as it was`,
    );
    deadEnds.push(
      `no container hard limits in a shared task: any container can take what the others need; cap the sidecars so a runaway one is the one killed`,
    );
    let newTaskMemory: number;
    let newTaskCpu: number | null = taskCpu;
    if (isFargate(input)) {
      const size = fargateTaskSize(needTask, taskCpu);
      newTaskMemory = size?.memory ?? FARGATE_MAX_MEMORY_MIB;
      newTaskCpu = size?.cpu ?? 16384;
      reasons.push(size ? `task memory ${fmt(newTaskMemory)} MiB at cpu ${String(newTaskCpu)}: the smallest Fargate size for ${fmt(needTask)} MiB` : 'beyond the largest Fargate task (120 GB): split the work across tasks or move to EC2');
    } else {
      newTaskMemory = roundUp(needTask, MEMORY_STEP_MIB);
      reasons.push(`task memory ${fmt(newTaskMemory)} MiB, rounded up to a multiple of ${MEMORY_STEP_MIB} MiB`);
    }
    return { container: input.container, memory: null, memoryReservation: reservation, taskMemory: newTaskMemory, taskCpu: newTaskCpu, current, reasons, deadEnds };
  }

  // KRR's OOM rule: the fix for too little history, and the least a new revision gets (below).
  const krr = krrOomRule(peak, limit) ?? used * 1.25;
  let hard: number;
  if (input.kind === 'oom-at-start') {
    const from = limit ?? reservation ?? used;
    hard = Math.max(from * 2, 256);
    reasons.push(
      `OOM-killed at start (container init): the ${fmt(from)} MiB limit is below the process's start footprint, which no metric shows; ` +
        `doubled with a 256 MiB floor: max(${fmt(from)} × 2, 256) = ${fmt(hard)} MiB`,
    );
  } else if (used <= 0) {
    hard = 512;
    reasons.push('no limit and no usage known: 512 MiB as a starting point');
  } else if (!hasData || input.analysis.pattern === 'unknown') {
    const vpa = vpaOomBump(used);
    // The few points there are still show the level. A container that sat within 20 % of its limit the whole time
    // (base >= 0.8 × used) only needs the smaller published OOM bump. One that sat below 70 % of it (where the
    // pattern analysis stops calling usage chronic) jumped to the limit: a burst, the only one seen, sized like one.
    // In between, KRR's OOM rule.
    const enough = hasData && ev.points >= 3 && base !== null;
    const nearLimit = enough && base >= 0.8 * used;
    const burst = enough && base < CHRONIC_SHARE * used ? burstLimit(used, base) : null;
    hard = nearLimit ? Math.min(vpa, krr) : Math.max(krr, burst ?? 0);
    const lead = hasData
      ? `too little history to tell the pattern (${ev.points} points)`
      : unattributable && ev.points > 0
        ? `the ${input.seriesScope} series cannot be attributed to ${input.container}`
        : 'no memory metrics';
    if (nearLimit) {
      reasons.push(
        `${lead}: usage sat at ${fmt(base ?? 0)} MiB, within 20 % of the ${fmt(used)} MiB reached at the kill, so the smaller published OOM bump: ` +
          `min(VPA max(${fmt(used)} + 100, ${fmt(used)} × 1.2) = ${fmt(vpa)}, KRR ${fmt(krr)}) = ${fmt(hard)} MiB`,
      );
    } else if (burst !== null && burst > krr) {
      reasons.push(
        `${lead}: usage sat at ${fmt(base ?? 0)} MiB, below ${Math.round(CHRONIC_SHARE * 100)} % of the ${fmt(used)} MiB reached at the kill: a burst, the only one seen, ` +
          `sized like one: ${burstText(used, base ?? 0, hard)} (above KRR's OOM rule, ${fmt(krr)} MiB)`,
      );
    } else {
      reasons.push(`${lead}: from the limit alone, KRR's OOM rule max(peak × 1.15, limit × 1.25) = ${fmt(hard)} MiB`);
    }
  } else if (input.analysis.pattern === 'leak') {
    hard = Math.max(used * LEAK_RAISE, used + 100, (peak ?? 0) * 1.15);
    reasons.push(`leak: a modest raise, max(${fmt(used)} × ${LEAK_RAISE}, ${fmt(used)} + 100) = ${fmt(hard)} MiB; raising the limit only delays the next kill: fix the leak`);
  } else {
    const pattern = input.analysis.pattern;
    // A task- or service-scope series shows the container's level only through the attribution above (the others may
    // use more or less than they reserve): one confidence step lower.
    const conf: Confidence = shared ? (input.analysis.confidence === 'high' ? 'medium' : 'low') : input.analysis.confidence;
    const byConf = BY_CONFIDENCE[conf];
    // Bursts are sized from the bursts seen; a short history hides a chronic container's daily cycle.
    const sustained = pattern === 'spike' && (ev.risenMinutes ?? 0) >= SUSTAINED_RISE_MINUTES;
    const bursts = pattern === 'spike' && !sustained;
    const k = sustained ? ((ev.bursts ?? 1) >= 2 ? CYCLE_EXCURSION : EXCURSION_FACTOR.chronic) : EXCURSION_FACTOR.chronic + byConf.extra;
    const minRaise = byConf.minRaise;
    const b = Math.min(base ?? used, used);
    const excursion = bursts ? burstLimit(used, b) : b + k * (used - b);
    const floor = used * minRaise;
    const uncensored = ev.censored || limit !== null ? 0 : (peak ?? 0) * 1.15;
    hard = Math.max(excursion, floor, uncensored);
    if (sustained) {
      reasons.push(
        `the rise had lasted ${fmt((ev.risenMinutes ?? 0) / 60)} h when the kill came: a load cycle whose top the kill shows, not a short burst: the next top sized at ${k.toFixed(2)} × this rise` +
          ((ev.bursts ?? 1) >= 2 ? '' : ' (no earlier top in the history to say how much tops vary)'),
      );
    }
    reasons.push(
      `${pattern}: usual level ${fmt(b)} MiB rose to at least ${fmt(used)} MiB (the limit at the kill${peak !== null && peak > (limit ?? 0) ? ' / the peak' : ''}); ` +
        (bursts
          ? `${ev.bursts ?? 1} burst(s) in the history, the kill's included; next week's largest sized from the limit: ${burstText(used, b, excursion)}`
          : `next excursion ${fmt(b)} + ${k.toFixed(2)} × ${fmt(used - b)} = ${fmt(excursion)} MiB`) +
        (floor > excursion
          ? `, floored at ${minRaise} × ${fmt(used)} = ${fmt(floor)} MiB (${conf} confidence${conf !== input.analysis.confidence ? `, one step below ${input.analysis.confidence}: the series is not the container's own` : ''})`
          : '') +
        (uncensored > Math.max(excursion, floor) ? `, uncensored peak × 1.15 = ${fmt(uncensored)} MiB` : ''),
    );
  }
  // The new revision has shown less of its own usage than KRR's 3 h minimum history: it gets at least what a history
  // too short to read gets (KRR's OOM rule, limit × 1.25, above the chronic 1.2 × L floor). A release that needs more
  // memory can be killed within minutes of its start, and the old revision's history cannot show it.
  if (fresh && input.kind === 'oom-killed' && used > 0 && krr > hard) {
    hard = krr;
    reasons.push(`at least KRR's OOM rule for a new revision: max(peak × 1.15, limit × 1.25) = ${fmt(hard)} MiB`);
  }
  const unrounded = hard;
  hard = Math.max(128, roundUp(hard, MEMORY_STEP_MIB));
  reasons.push(`memory (hard limit) ${fmt(hard)} MiB, rounded up to a multiple of ${MEMORY_STEP_MIB} MiB${limit !== null ? ` (was ${fmt(limit)} MiB, ×${(hard / limit).toFixed(2)})` : ''}`);

  // Soft limit: the average with 10 % headroom, never above the hard limit. On EC2 the scheduler places tasks by it;
  // on Fargate it is the container's share of the task memory (AWS sizes tasks from the sum of the reservations).
  const fargate = isFargate(input);
  let soft: number;
  if (avg !== null && hasData) {
    const target = memory === null ? Math.max(avg * 1.1, used) : avg * 1.1;
    // A series of zeros (a metric that reported nothing) must not give a 0 MiB reservation, which ECS rejects.
    soft = Math.min(hard, Math.max(MEMORY_STEP_MIB, roundUp(target, MEMORY_STEP_MIB)));
    reasons.push(
      memory === null
        ? `memoryReservation ${fmt(soft)} MiB: no hard limit, so the reservation must cover what it uses: max(average ${fmt(avg)} × 1.1, ${fmt(used)})`
        : `memoryReservation ${fmt(soft)} MiB = average ${fmt(avg)} MiB × 1.1, rounded up, at most the hard limit`,
    );
    if (reservation !== null && soft < reservation) {
      // After an OOM a smaller reservation only lets the scheduler pack more beside it (EC2): keep what it had.
      soft = Math.min(hard, reservation);
      reasons.push(`memoryReservation kept at ${fmt(soft)} MiB: never lowered right after an OOM (${fargate ? "it is this container's share of the task memory" : 'the scheduler would pack more beside it'})`);
    }
    const realUse = memory === null ? Math.max(avg, peak ?? 0) : avg;
    // On EC2 the host runs out whatever the hard limit; Fargate has no host to pack and an explicit task size.
    if (reservation !== null && reservation < 0.8 * realUse && !fargate) {
      deadEnds.push(
        `reservation left far below real use: memoryReservation ${fmt(reservation)} MiB vs ${memory === null ? 'a peak' : 'an average'} of ${fmt(realUse)} MiB` +
          (memory === null ? ' with no hard limit' : '') +
          '; the scheduler packs tasks by reservation, so the host runs out of memory even with a higher hard limit',
      );
    }
  } else {
    soft = Math.min(hard, roundUp(Math.max(reservation ?? 0, limit ?? 0, 64), MEMORY_STEP_MIB));
    reasons.push(
      `memoryReservation ${fmt(soft)} MiB: ${unattributable && ev.points > 0 ? `no usage of ${input.container}'s own` : 'no usage data'}, so the old limit (known to be reached) at most the hard limit`,
    );
  }
  if (input.analysis.pattern === 'leak') {
    const next = estimateNextKillHours(input.analysis, hard);
    reasons.push(
      next !== null
        ? `at ${fmt(hard)} MiB the leak reaches the limit again ~${fmt(next)} h after a restart (${fmt(ev.slopeMiBPerHour ?? 0)} MiB/h): the raise buys time, it does not fix the leak`
        : 'a bigger limit only delays the next kill: find and fix the leak',
    );
  }

  // Task level: the containers' hard limits (reservation where none) must fit in the task memory. When only the 16 MiB
  // rounding (or the 128 MiB minimum) pushes them past it, the limit takes what is left instead: a rounding must not
  // double a task's size.
  const room = taskMemory !== null ? taskMemory - siblingsHard : null;
  if (room !== null && input.kind !== 'oom-at-start' && hard + siblingsHard > taskMemory! && unrounded <= room && (memory === null || room > memory)) {
    const fitted = Math.floor(room / MEMORY_STEP_MIB) * MEMORY_STEP_MIB >= unrounded ? Math.floor(room / MEMORY_STEP_MIB) * MEMORY_STEP_MIB : room;
    reasons.push(`${fmt(fitted)} MiB, not ${fmt(hard)}: rounding up alone would not fit beside the others' ${fmt(siblingsHard)} MiB in the ${fmt(taskMemory!)} MiB task; ${fmt(fitted)} still covers the rule's ${fmt(unrounded)} MiB`);
    hard = fitted;
    soft = Math.min(soft, hard);
  }
  const need = hard + siblingsHard;
  let newTaskMemory: number | null = null;
  let newTaskCpu: number | null = taskCpu;
  if (fargate || taskMemory !== null) {
    const fits = taskMemory !== null && need <= taskMemory;
    if (fits && taskMemory !== null) {
      newTaskMemory = fargate ? taskMemory : null;
      reasons.push(`task memory ${fmt(taskMemory)} MiB still holds the containers' ${fmt(need)} MiB`);
    } else {
      const noBiggerSize = fargate && fargateTaskSize(need, taskCpu) === null;
      if (taskMemory !== null && memory !== null && memory + siblingsHard <= taskMemory && !noBiggerSize) {
        deadEnds.push(
          `hard limit raised with no room in the task memory: ${fmt(hard)} MiB + the others' ${fmt(siblingsHard)} MiB = ${fmt(need)} MiB > task memory ${fmt(taskMemory)} MiB; raise the task size too`,
        );
      }
      if (fargate) {
        const size = fargateTaskSize(need, taskCpu);
        if (size) {
          newTaskMemory = size.memory;
          newTaskCpu = size.cpu;
          reasons.push(
            `task memory ${fmt(size.memory)} MiB: the smallest Fargate size for ${fmt(need)} MiB of container limits` +
              (input.launchType !== null && input.launchType !== 'FARGATE' ? ` (it ran on ${input.launchType}, but the task definition is FARGATE-compatible, so its size must be a Fargate one)` : '') +
              (taskCpu !== null && size.cpu !== taskCpu ? `; cpu steps from ${taskCpu} to ${size.cpu} units because ${taskCpu} cannot take that much memory` : ` at cpu ${size.cpu}`),
          );
        } else {
          newTaskMemory = FARGATE_MAX_MEMORY_MIB;
          newTaskCpu = 16384;
          const capped = Math.max(MEMORY_STEP_MIB, Math.floor((FARGATE_MAX_MEMORY_MIB - siblingsHard) / MEMORY_STEP_MIB) * MEMORY_STEP_MIB);
          reasons.push(
            `${fmt(need)} MiB is beyond the largest Fargate task (120 GB = ${FARGATE_MAX_MEMORY_MIB} MiB): memory capped at ${fmt(capped)} MiB; ` +
              'split the work across tasks or move to EC2',
          );
          // Never below what it already had (the next kill would come sooner), unless what it had does not fit
          // beside the other containers in the largest task either.
          const keep = memory !== null && memory > capped && memory + siblingsHard <= FARGATE_MAX_MEMORY_MIB;
          if (memory !== null && memory + siblingsHard > FARGATE_MAX_MEMORY_MIB) {
            reasons.push(`the current limits (${fmt(memory)} MiB + the others' ${fmt(siblingsHard)} MiB) already exceed the largest task: ${input.container} must come down to ${fmt(capped)} MiB to fit`);
          }
          hard = keep ? memory : capped;
          soft = Math.min(soft, hard);
        }
      } else {
        newTaskMemory = roundUp(need, MEMORY_STEP_MIB);
        reasons.push(`task memory ${fmt(newTaskMemory)} MiB: the containers' hard limits ${fmt(need)} MiB must fit (was ${fmt(taskMemory ?? 0)} MiB)`);
      }
    }
  } else {
    newTaskCpu = null;
  }

  return {
    container: input.container,
    memory: hard,
    memoryReservation: soft,
    taskMemory: newTaskMemory,
    taskCpu: newTaskMemory === null ? null : newTaskCpu,
    current,
    reasons,
    deadEnds,
  };
}
