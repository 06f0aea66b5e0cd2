/**
 * A container's true memory demand, stepped every 20 s (ECS samples memory about every 20 s).
 *
 * Demand = warm-up × steady level + daily cycle + slow-wandering noise (AR(1)) + white jitter + short spikes
 * + batch jobs + a GC sawtooth + a leak that grows with the container's age. A restart (deploy or kill) resets the
 * age: warm-up, GC phase, leak and running jobs start over. Every component draws from its own seeded generator.
 */
import type { Rng } from './random';

export const STEP_SECONDS = 20;
export const STEPS_PER_HOUR = 3600 / STEP_SECONDS;

export interface ProcessParams {
  /** Steady level, MiB. */
  level: number;
  /** Slow-wandering noise: standard deviation (MiB) and per-step autocorrelation. */
  noiseSd: number;
  noisePhi: number;
  /** White jitter per sample, MiB. */
  jitterSd: number;
  /** Minutes to warm up after a restart (from 60 % of the level). */
  warmupMin: number;
  daily?: { amplitude: number; peakHour: number; widthHours: number; daySigma: number };
  spikes?: { ratePerHour: number; amplitude: number; sigma: number; durationMin: [number, number] };
  jobs?: { everyHours: [number, number]; memory: number; sigma: number; durationMin: [number, number]; rampMin: [number, number] };
  gc?: { amplitude: number; periodMin: [number, number]; sigma: number };
  /** Leak growth in MiB/h of container age; each run (between restarts) varies by `sigma` (log-normal). */
  leak?: { mibPerHour: number; sigma: number };
}

export class MemoryProcess {
  private ageSteps = 0;
  private noise = 0;
  private readonly dayMult = new Map<number, number>();
  private spikeLeft = 0;
  private spikeAmp = 0;
  private jobStart = -1;
  private jobEnd = -1;
  private jobRamp = 1;
  private jobMem = 0;
  private nextJobHour: number | null = null;
  private gcPhase = 0;
  private gcStep = 0;
  private gcAmp = 0;
  private leakRate = 0;

  constructor(
    readonly params: ProcessParams,
    private readonly rng: Rng,
    ageHours = 0,
  ) {
    this.restart();
    this.ageSteps = Math.round(ageHours * STEPS_PER_HOUR);
  }

  restart(): void {
    this.ageSteps = 0;
    this.spikeLeft = 0;
    this.jobStart = -1;
    this.jobEnd = -1;
    this.nextJobHour = null;
    this.gcPhase = 0;
    this.newGcCycle();
    const leak = this.params.leak;
    this.leakRate = leak ? leak.mibPerHour * this.rng.logNormal(leak.sigma) : 0;
  }

  private newGcCycle(): void {
    const gc = this.params.gc;
    if (!gc) return;
    const minutes = this.rng.uniform(gc.periodMin[0], gc.periodMin[1]);
    this.gcStep = 1 / ((minutes * 60) / STEP_SECONDS);
    this.gcAmp = gc.amplitude * this.rng.logNormal(gc.sigma);
  }

  /** Demand (MiB) for the step at absolute time `tHours`. */
  next(tHours: number): number {
    const p = this.params;
    const r = this.rng;
    this.ageSteps++;
    const ageHours = this.ageSteps / STEPS_PER_HOUR;
    const warm = ageHours * 60 < p.warmupMin ? 0.6 + (0.4 * ageHours * 60) / p.warmupMin : 1;
    let v = p.level * warm;

    if (p.daily) {
      const day = Math.floor(tHours / 24);
      let m = this.dayMult.get(day);
      if (m === undefined) {
        m = r.logNormal(p.daily.daySigma);
        this.dayMult.set(day, m);
      }
      let dh = (tHours % 24) - p.daily.peakHour;
      if (dh > 12) dh -= 24;
      if (dh < -12) dh += 24;
      v += p.daily.amplitude * m * Math.exp(-0.5 * (dh / p.daily.widthHours) ** 2);
    }

    this.noise = p.noisePhi * this.noise + Math.sqrt(1 - p.noisePhi * p.noisePhi) * p.noiseSd * r.normal();
    v += this.noise + p.jitterSd * r.normal();

    if (p.spikes) {
      if (this.spikeLeft > 0) {
        this.spikeLeft--;
        v += this.spikeAmp * (1 + 0.02 * r.normal());
      } else if (r.chance(p.spikes.ratePerHour / STEPS_PER_HOUR)) {
        this.spikeAmp = p.spikes.amplitude * r.logNormal(p.spikes.sigma);
        this.spikeLeft = Math.max(1, Math.round((r.uniform(p.spikes.durationMin[0], p.spikes.durationMin[1]) * 60) / STEP_SECONDS));
        v += this.spikeAmp;
      }
    }

    if (p.jobs) {
      const j = p.jobs;
      if (this.nextJobHour === null) this.nextJobHour = tHours + r.uniform(0, j.everyHours[1]);
      if (this.jobEnd < 0 && tHours >= this.nextJobHour) {
        this.jobStart = tHours;
        this.jobEnd = tHours + r.uniform(j.durationMin[0], j.durationMin[1]) / 60;
        this.jobRamp = r.uniform(j.rampMin[0], j.rampMin[1]) / 60;
        this.jobMem = j.memory * r.logNormal(j.sigma);
      }
      if (this.jobEnd >= 0) {
        if (tHours >= this.jobEnd) {
          this.jobEnd = -1;
          this.nextJobHour = tHours + r.uniform(j.everyHours[0], j.everyHours[1]);
        } else {
          const ramp = Math.min(1, (tHours - this.jobStart) / this.jobRamp);
          v += this.jobMem * ramp * (1 + 0.015 * r.normal());
        }
      }
    }

    if (p.gc) {
      this.gcPhase += this.gcStep;
      if (this.gcPhase >= 1) {
        this.gcPhase = 0;
        this.newGcCycle();
      }
      v += this.gcAmp * this.gcPhase;
    }

    v += this.leakRate * ageHours;
    return Math.max(1, v);
  }
}
