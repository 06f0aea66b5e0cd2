/**
 * A yardstick that knows what no recommender can: the container's true burst process (the scenario's job or spike
 * sizes, their spread and their rate). It sets the limit at a quantile of the next week's peak, estimated by Monte
 * Carlo from those parameters. It bounds what the history's information could buy: where it meets the target and
 * history-based rules do not, the gap is information (the spread and rate that one to three days of history pin down
 * poorly), not the rule. Only the burst families (batch-jobs, sudden-spikes) have a closed-form burst process here.
 */
import type { Scenario } from './families';
import { Rng } from './random';

const WEEK_HOURS = 168;

/** The q-quantile of next week's peak demand (MiB) for a scenario with jobs or spikes; null for other processes. */
export function knownPeakQuantiles(s: Scenario, qs: readonly number[], seed: number, reps = 1000): number[] | null {
  const app = s.app;
  const r = new Rng(seed ^ 0x5eed);
  // The steady part under a burst: the level, its slow noise at about its 99th percentile, and the 20-s jitter.
  const floor = app.level + 2.5 * app.noiseSd + 2.5 * app.jitterSd;
  const peaks: number[] = [];
  if (app.jobs) {
    const j = app.jobs;
    for (let k = 0; k < reps; k++) {
      let t = r.uniform(0, j.everyHours[1]);
      let top = 0;
      while (t < WEEK_HOURS) {
        // A job's plateau carries a 1.5 % white jitter: its highest 20-s sample sits about 2.5 sigma up.
        top = Math.max(top, j.memory * r.logNormal(j.sigma) * 1.0375);
        t += r.uniform(j.durationMin[0], j.durationMin[1]) / 60 + r.uniform(j.everyHours[0], j.everyHours[1]);
      }
      peaks.push(floor + top);
    }
  } else if (app.spikes && app.spikes.amplitude >= 0.3 * app.level) {
    const sp = app.spikes;
    for (let k = 0; k < reps; k++) {
      let t = r.exponential(1 / sp.ratePerHour);
      let top = 0;
      while (t < WEEK_HOURS) {
        top = Math.max(top, sp.amplitude * r.logNormal(sp.sigma) * 1.05);
        t += r.exponential(1 / sp.ratePerHour);
      }
      peaks.push(floor + top);
    }
  } else {
    return null;
  }
  peaks.sort((a, b) => a - b);
  return qs.map((q) => peaks[Math.min(peaks.length - 1, Math.floor(q * peaks.length))] as number);
}
