/**
 * One benchmark instance: run a drawn container under its limit until the first kill, show the strategies only what
 * CloudWatch would have shown (per-period Maximum and Average of the 20-s samples, censored at the limit, gaps,
 * missing statistics), then run the next 7 days after the restart, against which each proposed limit is judged.
 */
import { fargateTaskSize } from '../../lambda/fargate-sizes';
import type { LaunchType, MemoryPoint, TaskDefinition } from '../../lambda/model';
import { FAMILIES, type Scenario } from './families';
import { MemoryProcess, STEP_SECONDS, STEPS_PER_HOUR } from './process';
import { Rng } from './random';

/** Monday 2025-01-06 00:00 UTC: the history starts here, so daily cycles land on real hours. */
export const EPOCH_MS = Date.UTC(2025, 0, 6);
const FUTURE_HOURS = 24 * 7;
const LEAK_CLOCK_MAX_HOURS = 24 * 30;

/** What a strategy gets: the CloudWatch view and the task's configuration at the kill. */
export interface Observation {
  family: string;
  points: MemoryPoint[];
  periodSeconds: number;
  scope: 'container' | 'task';
  /** The series' censoring limit in its scope (container limit, or task memory for task scope). */
  ceilingMiB: number;
  killTime: number;
  container: string;
  limit: number;
  reservation: number | null;
  launchType: LaunchType;
  taskMemory: number | null;
  taskCpu: number | null;
  taskDefinition: TaskDefinition;
}

export interface Instance {
  obs: Observation;
  /** True peak demand over the 7 days after the restart (no limit): the oracle. */
  oracle: number;
  /** Hours into the 7 days at which a limit is first exceeded (a kill), or null. */
  firstKillHours(limit: number): number | null;
  /** Leak families: hours from a restart until demand reaches `limit`, with no deploy in between; null if > 30 days. */
  hoursToReach(limit: number): number | null;
}

function drawDeploy(r: Rng, s: Scenario): number {
  return r.uniform(s.deployEveryHours[0], s.deployEveryHours[1]);
}

/** Simulate one instance of a family; null when the drawn container never hits its limit (re-drawn by the caller). */
export function simulate(family: string, seed: number): Instance | null {
  const make = FAMILIES[family];
  if (!make) throw new Error(`unknown family ${family}`);
  const r = new Rng(seed);
  const s = make(r);
  const appRng = r.fork();
  const sideRng = r.fork();
  const deployRng = r.fork();
  const metricRng = r.fork();
  const futureRng = r.fork();
  const clockSeed = Math.floor(r.next() * 2 ** 31);

  // History: run until the kill.
  const app = new MemoryProcess(s.app, appRng, s.ageAtStartHours);
  const side = s.sidecar ? new MemoryProcess(s.sidecar, sideRng, s.ageAtStartHours) : null;
  const runSteps = Math.round(s.runHours * STEPS_PER_HOUR);
  const demand = new Float64Array(runSteps);
  const sideDemand = new Float64Array(side ? runSteps : 0);
  let nextDeploy = Math.max(0.5, drawDeploy(deployRng, s) - s.ageAtStartHours);
  const fixed = s.limit.kind === 'fixed' ? s.limit.mib : null;
  let killStep = -1;
  let peak = 0;
  for (let i = 0; i < runSteps; i++) {
    const t = i / STEPS_PER_HOUR;
    if (t >= nextDeploy) {
      app.restart();
      side?.restart();
      nextDeploy += drawDeploy(deployRng, s);
    }
    const d = app.next(t);
    demand[i] = d;
    if (side) sideDemand[i] = side.next(t);
    if (d > peak) peak = d;
    if (fixed !== null && d >= fixed) {
      killStep = i;
      break;
    }
  }
  let limit: number;
  if (fixed !== null) {
    if (killStep < 0) return null;
    limit = fixed;
  } else {
    limit = Math.max(64, Math.floor((peak * (s.limit as { share: number }).share) / 16) * 16);
    killStep = demand.findIndex((d) => d >= limit);
    if (killStep < 0) return null;
  }

  // Task definition as it was at the kill.
  const reservation = s.reservationShare !== null ? Math.floor((limit * s.reservationShare) / 16) * 16 : null;
  const sideRes = s.sidecarReservation ?? 0;
  const size = s.launchType === 'FARGATE' ? fargateTaskSize(limit + sideRes, null) : null;
  if (s.launchType === 'FARGATE' && !size) return null;
  const taskDefinition: TaskDefinition = {
    taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:1`,
    family,
    revision: 1,
    cpu: size?.cpu ?? null,
    memory: size?.memory ?? null,
    requiresCompatibilities: [s.launchType],
    networkMode: 'awsvpc',
    containers: [
      { name: 'app', image: 'app:1', essential: true, memory: limit, memoryReservation: reservation, cpu: null, environment: {}, command: [], entryPoint: [], logConfiguration: null, stopTimeout: null },
      ...(s.sidecar
        ? [{ name: 'log-router', image: 'fluent-bit:2', essential: false, memory: null, memoryReservation: s.sidecarReservation, cpu: null, environment: {}, command: [], entryPoint: [], logConfiguration: null, stopTimeout: null }]
        : []),
    ],
  };

  // The CloudWatch view: per-period Maximum/Average of the 20-s samples before the kill, censored at the limit.
  const stepsPerPeriod = s.periodSeconds / STEP_SECONDS;
  const from = Math.max(0, killStep - Math.round(s.lookbackHours * STEPS_PER_HOUR));
  const outages: [number, number][] = [];
  for (let k = 0; k < s.outages; k++) {
    const start = metricRng.int(from, killStep);
    outages.push([start, start + Math.round(metricRng.uniform(5, 60) * 3)]);
  }
  const points: MemoryPoint[] = [];
  const sideAt = (i: number): number => (side ? (sideDemand[i] as number) : 0);
  for (let b = Math.floor(from / stepsPerPeriod) * stepsPerPeriod; b <= killStep; b += stepsPerPeriod) {
    const values: number[] = [];
    for (let i = Math.max(b, from); i < b + stepsPerPeriod && i <= killStep; i++) {
      if (i === killStep) {
        // The sample at the kill sees the container at its limit about half of the time.
        if (metricRng.chance(0.5)) values.push(limit + sideAt(i));
      } else {
        values.push(Math.min(demand[i] as number, limit) + sideAt(i));
      }
    }
    if (values.length === 0) continue;
    if (metricRng.chance(s.dropRate)) continue;
    if (outages.some(([a, z]) => b >= a && b < z)) continue;
    const max = Math.max(...values);
    const avg = values.reduce((x, y) => x + y, 0) / values.length;
    points.push({
      t: EPOCH_MS + b * STEP_SECONDS * 1000,
      maxMiB: s.missing === 'max' ? null : Math.round(max * 10) / 10,
      avgMiB: s.missing === 'avg' ? null : Math.round(avg * 10) / 10,
    });
  }
  const killTime = EPOCH_MS + killStep * STEP_SECONDS * 1000;

  // The next 7 days after the restart (deploys continue; no limit, so the whole demand is known).
  const future = new MemoryProcess(s.app, futureRng, 0);
  const killHours = killStep / STEPS_PER_HOUR;
  const futureSteps = FUTURE_HOURS * STEPS_PER_HOUR;
  const fut = new Float64Array(futureSteps);
  let deploy = killHours + drawDeploy(deployRng, s);
  let oracle = 0;
  for (let i = 0; i < futureSteps; i++) {
    const t = killHours + (i + 1) / STEPS_PER_HOUR;
    if (t >= deploy) {
      future.restart();
      deploy += drawDeploy(deployRng, s);
    }
    const d = future.next(t);
    fut[i] = d;
    if (d > oracle) oracle = d;
  }

  return {
    obs: {
      family,
      points,
      periodSeconds: s.periodSeconds,
      scope: side ? 'task' : 'container',
      ceilingMiB: side ? (size?.memory ?? limit + sideRes) : limit,
      killTime,
      container: 'app',
      limit,
      reservation,
      launchType: s.launchType,
      taskMemory: size?.memory ?? null,
      taskCpu: size?.cpu ?? null,
      taskDefinition,
    },
    oracle,
    firstKillHours(l: number): number | null {
      for (let i = 0; i < futureSteps; i++) if ((fut[i] as number) >= l) return i / STEPS_PER_HOUR;
      return null;
    },
    hoursToReach(l: number): number | null {
      const p = new MemoryProcess(s.app, new Rng(clockSeed), 0);
      const max = LEAK_CLOCK_MAX_HOURS * STEPS_PER_HOUR;
      for (let i = 0; i < max; i++) if (p.next(killHours + i / STEPS_PER_HOUR) >= l) return (i + 1) / STEPS_PER_HOUR;
      return null;
    },
  };
}
