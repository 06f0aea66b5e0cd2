/**
 * The strategies compared, each from its published rule, each fed the same CloudWatch view.
 * - seed:    hard = peak × 1.25 (the seed's rule of thumb; soft = average × 1.1 is not judged here).
 * - vpa:     Kubernetes VPA's OOM bump: max(used + 100 MiB, used × 1.2), used = max(request, peak), request =
 *            memoryReservation else the hard limit; VPA's 250 MB minimum.
 * - krr:     KRR simple: peak × 1.15, needing >= 100 points and 3 h of history (else no change).
 * - krr-oom: KRR with OOM data: max(peak × 1.15, limit at the OOM × 1.25) (the limit part needs no history).
 * - project: the production code, analyzeMemory + recommendMemory, fed a MemorySeries built from the same view.
 */
import { analyzeMemory, estimateNextKillHours } from '../../lambda/memory-pattern';
import type { MemorySeries, PatternAnalysis } from '../../lambda/model';
import { recommendMemory } from '../../lambda/recommend-memory';
import type { Observation } from './simulate';

export type StrategyName = 'project' | 'seed' | 'vpa' | 'krr' | 'krr-oom';
export const STRATEGIES: StrategyName[] = ['project', 'seed', 'vpa', 'krr', 'krr-oom'];

export interface Proposal {
  memory: number;
  /** Project only. */
  analysis?: PatternAnalysis;
  nextKillHours?: number | null;
}

function observedPeak(obs: Observation): number | null {
  let peak: number | null = null;
  for (const p of obs.points) {
    const v = p.maxMiB ?? p.avgMiB;
    if (v !== null && (peak === null || v > peak)) peak = v;
  }
  return peak;
}

function historyHours(obs: Observation): number {
  const first = obs.points[0];
  const last = obs.points[obs.points.length - 1];
  return first && last ? (last.t - first.t) / 3_600_000 : 0;
}

export function propose(strategy: StrategyName, obs: Observation): Proposal {
  const peak = observedPeak(obs);
  switch (strategy) {
    case 'seed':
      return { memory: peak === null ? obs.limit : Math.ceil(peak * 1.25) };
    case 'vpa': {
      const used = Math.max(obs.reservation ?? obs.limit, peak ?? 0);
      return { memory: Math.ceil(Math.max(used + 100, used * 1.2, 238.4)) };
    }
    case 'krr': {
      const enough = obs.points.length >= 100 && historyHours(obs) >= 3;
      return { memory: enough && peak !== null ? Math.ceil(peak * 1.15) : obs.limit };
    }
    case 'krr-oom': {
      const enough = obs.points.length >= 100 && historyHours(obs) >= 3;
      return { memory: Math.ceil(Math.max(enough && peak !== null ? peak * 1.15 : 0, obs.limit * 1.25)) };
    }
    case 'project': {
      const series: MemorySeries = {
        source: obs.scope === 'container' ? 'container-insights-container' : 'container-insights-task',
        scope: obs.scope,
        periodSeconds: obs.periodSeconds,
        points: obs.points,
        ceilingMiB: obs.ceilingMiB,
      };
      const analysis = analyzeMemory(series, { limitMiB: obs.scope === 'container' ? obs.limit : null, now: obs.killTime });
      const rec = recommendMemory({
        container: obs.container,
        kind: 'oom-killed',
        launchType: obs.launchType,
        taskDefinition: obs.taskDefinition,
        eventContainer: {
          name: obs.container, exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage', lastStatus: 'STOPPED',
          memory: obs.limit, memoryReservation: obs.reservation, cpu: null, image: null,
        },
        eventTaskMemory: obs.taskMemory,
        eventTaskCpu: obs.taskCpu,
        analysis,
        seriesScope: obs.scope,
      });
      if (!rec || rec.memory === null) throw new Error('project returned no hard limit for an OOM kill at a known limit');
      return { memory: rec.memory, analysis, nextKillHours: estimateNextKillHours(analysis, rec.memory) };
    }
  }
}
