/**
 * Trace families: each draws one realistic container (sizes, noise, restarts, metric gaps) from a seed.
 * The initial limit is set the way limits get set in practice: a little under what the container ends up needing
 * (for most families a share of the peak it reaches within a few days), so that the first kill lands in the history.
 * Leaks get a round limit and a growth rate that reaches it within hours (fast) or days (slow).
 */
import type { ProcessParams } from './process';
import type { Rng } from './random';

export interface Scenario {
  family: string;
  app: ProcessParams;
  /** A sidecar that shares the task (log router); its own usage and reservation, no hard limit. */
  sidecar: ProcessParams | null;
  sidecarReservation: number | null;
  /** Hours between deploys (which restart the task). */
  deployEveryHours: [number, number];
  /** Container age when the history starts. */
  ageAtStartHours: number;
  /** The killed container's hard limit: a share of the peak reached in the first `runHours`, or a fixed value. */
  limit: { kind: 'share-of-peak'; share: number } | { kind: 'fixed'; mib: number };
  runHours: number;
  periodSeconds: 60 | 300;
  lookbackHours: number;
  launchType: 'FARGATE' | 'EC2';
  /** The killed container's memoryReservation share of its hard limit (EC2), or null. */
  reservationShare: number | null;
  /** A statistic CloudWatch never returned for this series. */
  missing: 'none' | 'avg' | 'max';
  /** Share of 1-minute samples that never arrive, and a few longer outages. */
  dropRate: number;
  outages: number;
}

const logUniform = (r: Rng, a: number, b: number): number => Math.exp(r.uniform(Math.log(a), Math.log(b)));

function common(r: Rng, family: string): Omit<Scenario, 'app' | 'limit'> {
  const oneMinute = r.chance(0.5);
  return {
    family,
    sidecar: null,
    sidecarReservation: null,
    deployEveryHours: [12, 120],
    ageAtStartHours: r.uniform(0, 48),
    runHours: r.uniform(24, 120),
    periodSeconds: oneMinute ? 60 : 300,
    lookbackHours: oneMinute ? 24 : 72,
    launchType: r.chance(0.5) ? 'FARGATE' : 'EC2',
    reservationShare: r.chance(0.4) ? r.uniform(0.3, 0.8) : null,
    missing: r.chance(0.9) ? 'none' : r.chance(0.5) ? 'avg' : 'max',
    dropRate: r.uniform(0, 0.03),
    outages: r.int(0, 2),
  };
}

function steady(r: Rng, level: number): ProcessParams {
  return {
    level,
    noiseSd: level * r.uniform(0.015, 0.045),
    noisePhi: r.uniform(0.95, 0.995),
    jitterSd: level * r.uniform(0.003, 0.01),
    warmupMin: r.uniform(2, 20),
    spikes: { ratePerHour: r.uniform(0.05, 0.5), amplitude: level * r.uniform(0.02, 0.06), sigma: 0.3, durationMin: [0.3, 2] },
  };
}

function dailyPeaks(r: Rng, level: number): ProcessParams {
  return {
    ...steady(r, level),
    noiseSd: level * r.uniform(0.01, 0.03),
    daily: { amplitude: level * r.uniform(0.3, 0.9), peakHour: r.uniform(9, 20), widthHours: r.uniform(1.5, 4), daySigma: r.uniform(0.03, 0.1) },
  };
}

/**
 * A leak from a quarter to a half of a round limit that reaches the limit in `killHours` (drawn), with deploys every
 * `deployEvery(hoursToKill)` and a container age at the history's start up to `ageShare` of the time to the kill.
 */
function leaking(r: Rng, family: string, killHours: [number, number], deployEvery: (hoursToKill: number) => [number, number], ageShare: number): Scenario {
  const limit = r.pick([512, 1024, 2048, 3072, 4096]);
  const start = limit * r.uniform(0.25, 0.55);
  const hoursToKill = r.uniform(killHours[0], killHours[1]);
  const base = common(r, family);
  const app = steady(r, start);
  return {
    ...base,
    app: { ...app, noiseSd: start * r.uniform(0.01, 0.03), gc: r.chance(0.5) ? { amplitude: start * r.uniform(0.05, 0.2), periodMin: [2, 15], sigma: 0.08 } : undefined, leak: { mibPerHour: (limit - start) / hoursToKill, sigma: 0.1 } },
    deployEveryHours: deployEvery(hoursToKill),
    ageAtStartHours: r.uniform(0, ageShare * hoursToKill),
    limit: { kind: 'fixed', mib: limit },
    runHours: 24 * 20,
  };
}

export const FAMILIES: Record<string, (r: Rng) => Scenario> = {
  'steady-undersized': (r) => ({
    ...common(r, 'steady-undersized'),
    app: steady(r, logUniform(r, 200, 3000)),
    limit: { kind: 'share-of-peak', share: r.uniform(0.9, 0.99) },
  }),
  'daily-peaks': (r) => ({
    ...common(r, 'daily-peaks'),
    app: dailyPeaks(r, logUniform(r, 200, 3000)),
    limit: { kind: 'share-of-peak', share: r.uniform(0.88, 0.99) },
  }),
  'sudden-spikes': (r) => {
    const level = logUniform(r, 150, 2500);
    return {
      ...common(r, 'sudden-spikes'),
      app: {
        ...steady(r, level),
        noiseSd: level * r.uniform(0.01, 0.03),
        spikes: { ratePerHour: r.uniform(1, 12) / 24, amplitude: level * r.uniform(0.4, 1.5), sigma: r.uniform(0.05, 0.2), durationMin: [0.3, 6] },
      },
      limit: { kind: 'share-of-peak', share: r.uniform(0.88, 0.99) },
    };
  },
  'gc-sawtooth': (r) => {
    const level = logUniform(r, 200, 3000);
    return {
      ...common(r, 'gc-sawtooth'),
      app: { ...steady(r, level), noiseSd: level * r.uniform(0.005, 0.02), gc: { amplitude: level * r.uniform(0.2, 0.7), periodMin: [2, 20], sigma: r.uniform(0.04, 0.12) } },
      limit: { kind: 'share-of-peak', share: r.uniform(0.88, 0.99) },
    };
  },
  'slow-leak': (r) => leaking(r, 'slow-leak', [18, 96], (h) => [0.4 * h, 2 * h], 0.5),
  'fast-leak': (r) => leaking(r, 'fast-leak', [2.5, 16], () => [12, 72], 0.3),
  'sidecar-task': (r) => {
    const level = logUniform(r, 200, 2500);
    const sideLevel = r.uniform(30, 200);
    return {
      ...common(r, 'sidecar-task'),
      app: r.chance(0.5) ? steady(r, level) : dailyPeaks(r, level),
      sidecar: { ...steady(r, sideLevel), noiseSd: sideLevel * r.uniform(0.03, 0.1) },
      sidecarReservation: r.pick([32, 50, 64, 128, 256]),
      launchType: 'FARGATE',
      reservationShare: null,
      limit: { kind: 'share-of-peak', share: r.uniform(0.88, 0.99) },
    };
  },
  'batch-jobs': (r) => {
    const idle = r.uniform(100, 400);
    return {
      ...common(r, 'batch-jobs'),
      app: {
        ...steady(r, idle),
        jobs: { everyHours: [r.uniform(0.3, 1), r.uniform(1, 4)], memory: logUniform(r, 300, 3000), sigma: r.uniform(0.08, 0.25), durationMin: [5, 40], rampMin: [1, 5] },
      },
      limit: { kind: 'share-of-peak', share: r.uniform(0.88, 0.99) },
    };
  },
};

export const FAMILY_NAMES = Object.keys(FAMILIES);
