import { describe, expect, it } from 'vitest';
import type { PatternAnalysis } from '../lambda/model';
import { type RecommendInput, recommendMemory } from '../lambda/recommend-memory';
import { container, taskDef } from './helpers/task-definitions';

function analysis(pattern: PatternAnalysis['pattern'], ev: Partial<PatternAnalysis['evidence']>, confidence: PatternAnalysis['confidence'] = 'high'): PatternAnalysis {
  return {
    pattern,
    confidence,
    evidence: { source: 'container-insights-container', points: 1440, hours: 24, peakMiB: null, averageMiB: null, slopeMiBPerHour: null, censored: true, ...ev },
    nextKillEstimateHours: null,
    reasons: [],
  };
}

function input(over: Partial<RecommendInput>): RecommendInput {
  return {
    container: 'app',
    kind: 'oom-killed',
    launchType: 'FARGATE',
    taskDefinition: taskDef([container('app', 1024)], 512, 2048),
    eventContainer: null,
    eventTaskMemory: null,
    eventTaskCpu: null,
    analysis: analysis('chronic', { peakMiB: 1019, averageMiB: 930, baselineMiB: 950 }),
    seriesScope: 'container',
    ...over,
  };
}

describe('recommendMemory', () => {
  it('returns null for a SIGKILL that is not an OOM, and for exits', () => {
    expect(recommendMemory(input({ kind: 'sigkill' }))).toBeNull();
    expect(recommendMemory(input({ kind: 'exited' }))).toBeNull();
  });

  it('counts the other containers the event lists when the task definition could not be read (the fix must fit the task)', () => {
    // Fargate 512/1024: app 768 MiB OOM-killed, datadog-agent 256 MiB beside it; no task definition (the CLI without
    // --task-definition, or a failed DescribeTaskDefinition in the Lambda).
    const app = { name: 'app', memory: 768, memoryReservation: null } as NonNullable<RecommendInput['eventContainer']>;
    const agent = { ...app, name: 'datadog-agent', memory: 256 };
    const noMetrics = analysis('unknown', { points: 0, source: 'none' });
    const r = recommendMemory(input({ taskDefinition: null, eventContainer: app, eventContainers: [app, agent], eventTaskMemory: 1024, eventTaskCpu: 512, analysis: noMetrics }))!;
    expect(r.memory).toBe(960);
    expect(r.taskMemory).toBe(2048); // 960 + 256 = 1216 MiB no longer fits 1024
    expect(r.reasons.join('\n')).toMatch(/smallest Fargate size for 1216 MiB of container limits/);
    // Without the others, 960 MiB alone would have "fit" the 1024 MiB task and registration would fail.
    const alone = recommendMemory(input({ taskDefinition: null, eventContainer: app, eventTaskMemory: 1024, eventTaskCpu: 512, analysis: noMetrics }))!;
    expect(alone.taskMemory).toBe(1024);
  });

  it('a series of zeros (a metric that reported nothing) never gives a 0 MiB reservation', () => {
    const r = recommendMemory(input({ analysis: analysis('chronic', { peakMiB: 0, averageMiB: 0, baselineMiB: 0, censored: false }) }))!;
    expect(r.memoryReservation).toBe(16);
    expect(r.memory).toBeGreaterThanOrEqual(1.2 * 1024);
  });

  it('chronic: a moderate raise above the censored limit, not a blow-up', () => {
    const r = recommendMemory(input({}))!;
    // 950 + 1.6 × (1024 − 950) = 1068, floored at VPA's 1.2 × 1024 = 1229 → 1232 (16 MiB steps)
    expect(r.memory).toBe(1232);
    expect((r.memory ?? 1) % 16).toBe(0);
    expect(r.memoryReservation).toBe(1024); // 930 × 1.1 = 1023 → 1024
    expect(r.taskMemory).toBe(2048);
    expect(r.taskCpu).toBe(512);
    expect(r.current).toEqual({ memory: 1024, memoryReservation: null, taskMemory: 2048, taskCpu: 512 });
    expect(r.reasons.join('\n')).toContain('floored at 1.2 × 1024');
  });

  it('spike: sizes the next burst from the limit it killed at (1.5 × L − 0.1 × the usual level), beyond the flat 25 %, whatever the other bursts did', () => {
    const spike = (over: Partial<PatternAnalysis['evidence']>) =>
      recommendMemory(input({ analysis: analysis('spike', { peakMiB: 420, averageMiB: 380, baselineMiB: 400, censored: false, ...over }) }))!;
    // 1.5 × 1024 − 0.1 × 400 = 1496 → 1504
    const lone = spike({ bursts: 1 });
    expect(lone.memory).toBe(1504);
    expect(lone.memory).toBeGreaterThan(1024 * 1.25);
    expect(lone.memoryReservation).toBe(432); // 380 × 1.1 = 418 → 432
    expect(lone.reasons.join('\n')).toContain("1 burst(s) in the history, the kill's included; next week's largest sized from the limit: 1.5 × 1024 − 0.1 × 400 = 1496 MiB");
    // How high the other bursts rose does not move it (in the benchmark the factor the next kill needed barely depended
    // on it), nor does an analysis without burst evidence (older callers).
    for (const over of [{ bursts: 6 }, { bursts: 8 }, {}]) expect(spike(over).memory).toBe(1504);
    // A higher usual level takes a little off: 1.5 × 1024 − 0.1 × 700 = 1466 → 1472.
    expect(spike({ baselineMiB: 700, bursts: 3 }).memory).toBe(1472);
  });

  it('a rise that had lasted over an hour is a load cycle: sized from its top, not as a burst', () => {
    // Off-peak 400, the daily top reached the 1024 limit after rising for 2.5 h; yesterday's top is in the history too.
    const cycle = recommendMemory(input({ analysis: analysis('spike', { peakMiB: 1020, averageMiB: 560, baselineMiB: 400, bursts: 2, risenMinutes: 150 }) }))!;
    // 400 + 1.3 × 624 = 1211, floored at 1.2 × 1024 = 1229 → 1232 (a 4-minute burst of the same history: 1.5 × 1024 − 40 → 1504)
    expect(cycle.memory).toBe(1232);
    expect(cycle.reasons.join('\n')).toContain('a load cycle whose top the kill shows');
    const burst = recommendMemory(input({ analysis: analysis('spike', { peakMiB: 1020, averageMiB: 560, baselineMiB: 400, bursts: 2, risenMinutes: 4 }) }))!;
    expect(burst.memory).toBe(1504);
    // The kill's top is the only one seen: how much tops vary is unknown, the chronic factor 1.6 applies.
    const lone = recommendMemory(input({ analysis: analysis('spike', { peakMiB: 1020, averageMiB: 560, baselineMiB: 400, bursts: 1, risenMinutes: 150 }) }))!;
    // 400 + 1.6 × 624 = 1398 → 1408
    expect(lone.memory).toBe(1408);
    expect(lone.reasons.join('\n')).toContain('no earlier top in the history');
  });

  it('leak: a modest raise, says it only delays the kill, and estimates the next kill at the proposed limit', () => {
    const a = analysis('leak', { peakMiB: 1024, averageMiB: 700, baselineMiB: 700, slopeMiBPerHour: 40, climbStartMiB: 400, swingMiB: 24 });
    const r = recommendMemory(input({ analysis: a }))!;
    expect(r.memory).toBe(1280); // 1024 × 1.25
    const text = r.reasons.join('\n');
    expect(text).toContain('only delays the next kill');
    // (1280 − 24 − 400) / 40 = 21.4 h
    expect(text).toContain('~21.4 h after a restart');
  });

  it('no metrics: from the limit alone with the censored-limit bump', () => {
    const r = recommendMemory(input({ analysis: analysis('unknown', { points: 0, hours: 0, censored: false }), seriesScope: 'none' }))!;
    expect(r.memory).toBe(1280); // max(1024 × 1.25, 1024 × 1.2, 1024 + 100)
    expect(r.reasons.join('\n')).toContain('no memory metrics');
    expect(r.memoryReservation).toBe(1024);
  });

  it('Fargate: raises task memory to the next valid size, stepping cpu when needed', () => {
    const td = taskDef([container('app', 1900)], 256, 2048);
    const r = recommendMemory(input({ taskDefinition: td, analysis: analysis('chronic', { peakMiB: 1900, averageMiB: 1800, baselineMiB: 1850 }) }))!;
    expect(r.memory).toBe(2288); // 1.2 × 1900 = 2280 → 2288
    expect(r.taskMemory).toBe(3072);
    expect(r.taskCpu).toBe(512);
    expect(r.reasons.join('\n')).toContain('cpu steps from 256 to 512');
    expect(r.deadEnds.join('\n')).toContain('hard limit raised with no room in the task memory');
  });

  it('EC2 launch of a FARGATE-compatible task definition: the task size stays a valid Fargate size', () => {
    // requiresCompatibilities [EC2, FARGATE]: ECS validates the size as a Fargate one at registration, wherever it runs.
    const td = { ...taskDef([container('app', 1024)], 512, 1024, 'EC2'), requiresCompatibilities: ['EC2', 'FARGATE'] };
    const r = recommendMemory(input({ launchType: 'EC2', taskDefinition: td }))!;
    expect(r.memory).toBe(1232); // chronic: 1.2 × 1024 rounded up to 16 MiB
    expect(r.taskMemory).toBe(2048); // 1280 would not register: cpu 512 takes 1–4 GB in 1 GB steps
    expect(r.taskCpu).toBe(512);
    expect(r.reasons.join('\n')).toContain('it ran on EC2, but the task definition is FARGATE-compatible');
    // EC2-only: the task memory just has to hold the containers.
    const ec2 = recommendMemory(input({ launchType: 'EC2', taskDefinition: taskDef([container('app', 1024)], 512, 1024, 'EC2') }))!;
    expect(ec2.taskMemory).toBe(1232);
  });

  it('multi-container: the sum of limits (a sidecar by its reservation) must fit; task-scope usage is attributed', () => {
    const td = taskDef([container('app', 1536), container('log-router', null, 256)], 512, 2048);
    const r = recommendMemory(input({
      taskDefinition: td,
      seriesScope: 'task',
      analysis: analysis('chronic', { source: 'container-insights-task', peakMiB: 1792, averageMiB: 1650, baselineMiB: 1700, censored: false }),
    }))!;
    // attributed: peak 1792 − 256 = 1536, baseline 1444; 1444 + 1.6 × 92 = 1591, floor 1.2 × 1536 = 1843 → 1856
    expect(r.memory).toBe(1856);
    expect(r.taskMemory).toBe(3072); // 1856 + 256 = 2112 > 2048: the next Fargate size at cpu 512
    expect(r.reasons.join('\n')).toContain("minus the other containers' reservations (log-router: 256 MiB)");
  });

  it('task-scope usage is not attributed to a container the others dwarf, or when another reserves nothing', () => {
    const taskSeries = analysis('chronic', { source: 'container-insights-task', peakMiB: 1300, averageMiB: 1100, baselineMiB: 1150, censored: false });
    // The x-ray daemon (64/32) beside a 1024 MiB app: task usage minus the app's reservation is the app's deviation, not the daemon's use.
    const small = taskDef([container('app', 1024, 1024), container('xray', 64, 32)], 512, 2048);
    const r = recommendMemory(input({ container: 'xray', taskDefinition: small, seriesScope: 'task', analysis: taskSeries }))!;
    expect(r.reasons.join('\n')).toMatch(/the others reserve 1024 MiB, more than xray's 64 MiB.*sized from the limits alone/);
    expect(r.memory).toBe(128); // KRR's OOM rule from the limit alone (64 × 1.25 = 80), raised to the 128 MiB floor
    expect(r.memoryReservation).toBe(64); // never lowered below the 32 it had; the old limit, known to be reached
    // Another container reserving nothing: its share, and so this one's, is unknown.
    const unknown = taskDef([container('app', 1536), container('sidecar', null, null)], 512, 2048);
    const u = recommendMemory(input({ taskDefinition: unknown, seriesScope: 'task', analysis: taskSeries }))!;
    expect(u.reasons.join('\n')).toMatch(/sidecar reserves no memory, so app's part of it is unknown/);
    expect(u.reasons.join('\n')).not.toMatch(/usage attributed as/);
  });

  it('a sidecar with its own hard limit beside a big app: the kill anchors the app\'s part of a task series, so the sidecar\'s level is read', () => {
    // envoy 128 hard / 32 reserved beside an app reserving 1024 (which it may over- or undershoot by more than envoy's
    // size). Task peak 1160 at the kill: the app then used 1160 − 128 = 1032 MiB; the series rises 70 MiB from its usual
    // 1090, inside envoy's 128, so envoy's usual level is 1090 − 1032 = 58 MiB: a burst from 45 % of its limit.
    const td = taskDef([container('app', 1536, 1024), container('envoy', 128, 32)], 512, 2048);
    const taskSeries = (peakMiB: number, averageMiB = 1095) => analysis('chronic', { source: 'container-insights-task', peakMiB, averageMiB, baselineMiB: 1090, censored: false });
    const r = recommendMemory(input({ container: 'envoy', taskDefinition: td, seriesScope: 'task', analysis: taskSeries(1160) }))!;
    const text = r.reasons.join('\n');
    expect(text).toMatch(/envoy was at its 128 MiB hard limit when killed, so the others then used the peak less that, 1032 MiB.*minus 1032 MiB/);
    expect(text).not.toMatch(/sized from the limits alone/);
    // 58 + 1.8 × (128 − 58) = 184 (chronic, one confidence step lower) → 192; from the limit alone it was 1.25 × 128 = 160.
    expect(r.memory).toBe(192);
    expect(r.memoryReservation).toBe(80); // average 1095 − 1032 = 63 × 1.1, rounded up
    // A swing larger than envoy's whole limit is the app moving too: not attributed, the limits alone as before.
    const moving = recommendMemory(input({ container: 'envoy', taskDefinition: td, seriesScope: 'task', analysis: taskSeries(1400) }))!;
    expect(moving.reasons.join('\n')).toMatch(/the others reserve 1024 MiB, more than envoy's 128 MiB.*sized from the limits alone/);
    expect(moving.memory).toBe(160);
    // So is an average more than 128 MiB below the peak (envoy's own average would be below zero).
    expect(recommendMemory(input({ container: 'envoy', taskDefinition: td, seriesScope: 'task', analysis: taskSeries(1160, 1020) }))!.memory).toBe(160);
  });

  it('no kill anchor when the whole task ran out beside a container with no limit: the killed one may have been below its own', () => {
    // Fargate 2048: app 1536 hard, fluent-bit with no limits at all. The sidecar balloons and the task peaks at its
    // 2048 MiB: the kernel killed the app below its limit, so "the others used the peak less 1536" would be false.
    const td = taskDef([container('app', 1536, null), container('fluent-bit', null, null)], 1024, 2048);
    const taskSeries = (peakMiB: number, censored: boolean) => analysis('spike', { source: 'container-insights-task', peakMiB, averageMiB: 1420, baselineMiB: 1400, censored });
    const full = recommendMemory(input({ taskDefinition: td, seriesScope: 'task', analysis: taskSeries(2048, true) }))!;
    expect(full.reasons.join('\n')).not.toMatch(/hard limit when killed/);
    expect(full.reasons.join('\n')).toMatch(/fluent-bit reserves no memory, so app's part of it is unknown/);
    // Below the task memory the kill was the app's own limit: anchored as before.
    const own = recommendMemory(input({ taskDefinition: td, seriesScope: 'task', analysis: taskSeries(1596, false) }))!;
    expect(own.reasons.join('\n')).toMatch(/app was at its 1536 MiB hard limit when killed, so the others then used the peak less that, 60 MiB/);
  });

  it('does not let the rounding alone double a Fargate task: the limit takes what is left when that covers the rule', () => {
    // log_router 100 MiB beside a 900 MiB app in a 1024 MiB task: the rule asks 1.2 × 100 = 120; 128 (the minimum,
    // and a 16 MiB step) would need a 2048 MiB task, 124 fits.
    const td = taskDef([container('app', 900), container('log_router', 100)], 512, 1024);
    const r = recommendMemory(input({ container: 'log_router', taskDefinition: td, analysis: analysis('chronic', { peakMiB: 100, averageMiB: 90, baselineMiB: 95 }) }))!;
    expect(r.memory).toBe(124);
    expect(r.taskMemory).toBe(1024);
    expect(r.reasons.join('\n')).toMatch(/124 MiB, not 128: rounding up alone would not fit beside the others' 900 MiB/);
    // When the rule itself needs more than what is left, the task grows as before.
    const big = recommendMemory(input({ container: 'log_router', taskDefinition: td, analysis: analysis('chronic', { peakMiB: 100, averageMiB: 60, baselineMiB: 60 }, 'low') }))!;
    expect(big.memory).toBeGreaterThan(124);
    expect(big.taskMemory).toBe(2048);
  });

  it('attributes task usage to a killed container with no limits of its own by its effective limit, beside a small sidecar', () => {
    // app: no memory, no reservation; log_router hard 128, reserves 50; Fargate 2048: app's effective limit 1998 MiB.
    const td = taskDef([container('app', null, null), container('log_router', 128, 50)], 1024, 2048);
    const r = recommendMemory(input({
      taskDefinition: td,
      seriesScope: 'task',
      analysis: analysis('chronic', { source: 'container-insights-task', peakMiB: 2000, averageMiB: 1800, baselineMiB: 1850, censored: true }),
    }))!;
    expect(r.reasons.join('\n')).toContain("usage attributed as task usage minus the other containers' reservations");
    expect(r.reasons.join('\n')).not.toMatch(/cannot be attributed|no memory metrics/);
  });

  it('never lowers a reservation right after an OOM, even when the average is lower', () => {
    const td = taskDef([container('app', 6144, 4096)], null, null, 'EC2');
    const r = recommendMemory(input({
      launchType: 'EC2',
      taskDefinition: td,
      analysis: analysis('chronic', { peakMiB: 6144, averageMiB: 3000, baselineMiB: 5000 }),
    }))!;
    expect(r.memoryReservation).toBe(4096); // average × 1.1 = 3312 would let the scheduler pack more beside it
    expect(r.reasons.join('\n')).toMatch(/memoryReservation kept at 4096 MiB/);
  });

  it('EC2 reservation-only container: keeps taskMemory null and sizes the reservation to what it uses', () => {
    const td = taskDef([container('app', null, 512)], null, null, 'EC2');
    const r = recommendMemory(input({
      launchType: 'EC2',
      taskDefinition: td,
      analysis: analysis('chronic', { peakMiB: 700, averageMiB: 600, baselineMiB: 650, censored: false }),
    }))!;
    expect(r.taskMemory).toBeNull();
    expect(r.taskCpu).toBeNull();
    expect(r.memoryReservation).toBeGreaterThanOrEqual(704); // covers the 700 MiB peak
    expect(r.memoryReservation).toBeLessThanOrEqual(r.memory ?? 0);
    expect(r.deadEnds.join('\n')).toContain('reservation left far below real use');
    expect(r.deadEnds.join('\n')).toContain('the scheduler packs tasks by reservation, so the host runs out of memory');
  });

  it('a reservation far below real use on Fargate: raised, but no dead end (no host to pack, an explicit task size)', () => {
    const r = recommendMemory(input({
      eventContainer: { name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage', lastStatus: 'STOPPED', memory: 1024, memoryReservation: 256, cpu: null, image: null },
      eventTaskMemory: 2048,
      eventTaskCpu: 512,
      analysis: analysis('chronic', { peakMiB: 1024, averageMiB: 800, baselineMiB: 850 }),
    }))!;
    expect(r.memoryReservation).toBeGreaterThanOrEqual(880); // at least the 800 MiB average × 1.1
    expect(r.reasons.join('\n')).toMatch(/memoryReservation \d+ MiB = average/);
    expect(r.deadEnds.join('\n')).not.toMatch(/reservation left far below|host|scheduler/);
  });

  it('oom-at-start: doubles the limit with a 256 MiB floor', () => {
    const r = recommendMemory(input({ kind: 'oom-at-start', taskDefinition: taskDef([container('app', 96)], 256, 512), analysis: analysis('unknown', { points: 0 }) }))!;
    expect(r.memory).toBe(256);
    const big = recommendMemory(input({ kind: 'oom-at-start', analysis: analysis('unknown', { points: 0 }) }))!;
    expect(big.memory).toBe(2048);
    expect(big.reasons.join('\n')).toContain('below the process');
  });

  it('caps at the largest Fargate task (120 GB) and says so', () => {
    const td = taskDef([container('app', 115_000)], 16384, 122880);
    const r = recommendMemory(input({ taskDefinition: td, analysis: analysis('chronic', { peakMiB: 115_000, averageMiB: 105_000, baselineMiB: 112_000 }) }))!;
    expect(r.taskMemory).toBe(122880);
    expect(r.taskCpu).toBe(16384);
    expect(r.memory).toBeLessThanOrEqual(122880);
    expect(r.reasons.join('\n')).toContain('beyond the largest Fargate task');
    // No "raise the task size too": there is no bigger Fargate size.
    expect(r.deadEnds.join('\n')).not.toMatch(/raise the task size/);
  });

  it('never lowers a limit already at the largest Fargate task, unless the current limits do not fit in it', () => {
    const fits = taskDef([container('app', 122_870), container('log_router', null, 8)], 16384, 122880);
    const r = recommendMemory(input({ taskDefinition: fits, analysis: analysis('unknown', { points: 0 }) }))!;
    expect(r.memory).toBe(122_870); // the 16 MiB step below would be 122 864: lower than it had
    expect(r.taskMemory).toBe(122880);
    const over = taskDef([container('app', 122_880), container('log_router', null, 50)], 16384, 122880);
    const o = recommendMemory(input({ taskDefinition: over, analysis: analysis('unknown', { points: 0 }) }))!;
    expect(o.memory).toBe(122_816);
    expect(o.reasons.join(' ')).toContain('already exceed the largest task: app must come down to 122816 MiB to fit');
  });

  it('uses the event limits when the task definition is unknown', () => {
    const r = recommendMemory(input({
      taskDefinition: null,
      eventContainer: { name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage', lastStatus: 'STOPPED', memory: 512, memoryReservation: 128, cpu: null, image: null },
      eventTaskMemory: 1024,
      eventTaskCpu: 256,
      analysis: analysis('chronic', { peakMiB: 510, averageMiB: 480, baselineMiB: 490 }),
    }))!;
    expect(r.current.memory).toBe(512);
    expect(r.memory).toBeGreaterThan(512);
    expect(r.memoryReservation).toBeGreaterThanOrEqual(528); // the 480 MiB average × 1.1, far above the event's 128
  });

  it('unknown pattern with a few points sitting at the limit: the smaller published bump, else KRR', () => {
    const a = analysis('unknown', { points: 8, hours: 0.2, peakMiB: 1020, averageMiB: 990, baselineMiB: 1000 }, 'low');
    const r = recommendMemory(input({ analysis: a }))!;
    expect(r.memory).toBe(1232); // min(VPA max(1024 + 100, 1024 × 1.2) = 1229, KRR 1280) → 1232
    expect(r.reasons.join('\n')).toContain('within 20 % of the 1024 MiB reached at the kill, so the smaller published OOM bump');
    const low = recommendMemory(input({ analysis: analysis('unknown', { points: 8, hours: 0.2, peakMiB: 1020, averageMiB: 740, baselineMiB: 760 }, 'low') }))!;
    expect(low.memory).toBe(1280); // between 70 and 80 % of the limit: KRR 1.25 × 1024
    // Sat at 300 MiB, then hit the limit: a burst, the only one seen, sized like any: 1.5 × 1024 − 0.1 × 300 = 1506 → 1520.
    const jump = recommendMemory(input({ analysis: analysis('unknown', { points: 8, hours: 0.2, peakMiB: 1020, averageMiB: 420, baselineMiB: 300 }, 'low') }))!;
    expect(jump.memory).toBe(1520);
    expect(jump.reasons.join('\n')).toContain('a burst, the only one seen, sized like one: 1.5 × 1024 − 0.1 × 300 = 1506 MiB (above KRR');
    // A small container: VPA's +100 MiB would be 1.4×; capped at KRR's 1.25 × 256 = 320.
    const small = recommendMemory(input({
      taskDefinition: taskDef([container('app', 256)], 256, 512),
      analysis: analysis('unknown', { points: 8, hours: 0.2, peakMiB: 255, averageMiB: 240, baselineMiB: 250 }, 'low'),
    }))!;
    expect(small.memory).toBe(320);
  });

  it('task-scope series: one confidence step lower, since the container level is only attributed', () => {
    const shared = taskDef([container('app', 1024), container('log-router', null, 64)], 1024, 4096);
    // Task usage sits at 1050 (app ~986 + the router's 64 reserved): attributed level 986, limit 1024.
    const a = analysis('chronic', { peakMiB: 1088, averageMiB: 1040, baselineMiB: 1050 }, 'medium');
    const own = recommendMemory(input({ taskDefinition: shared, analysis: a, seriesScope: 'container' }))!;
    const task = recommendMemory(input({ taskDefinition: shared, analysis: a, seriesScope: 'task' }))!;
    // container scope, medium: floor 1.2 × 1088 = 1306 → 1312; task scope, low: floor 1.25 × 1024 = 1280,
    // excursion 986 + 2.0 × (1024 − 986) = 1062: 1280.
    expect(own.memory).toBe(1312);
    expect(task.memory).toBe(1280);
    expect(task.reasons.join('\n')).toContain("low confidence, one step below medium: the series is not the container's own");
  });

  it('task-scope series: the killed container is never attributed more than its own hard limit', () => {
    const shared = taskDef([container('app', 1024), container('log-router', null, 32)], 1024, 4096);
    // The task peaked at 1224 MiB: 1024 for the app (its limit) and ~200 for a log router that reserves only 32.
    const r = recommendMemory(input({
      taskDefinition: shared,
      analysis: analysis('unknown', { points: 8, hours: 0.2, peakMiB: 1224, averageMiB: 1180, baselineMiB: 1190 }, 'low'),
      seriesScope: 'task',
    }))!;
    // Attributed peak min(1224 − 32, 1024) = 1024, not 1192: VPA 1.2 × 1024 = 1229 → 1232 (1192 would give 1376).
    expect(r.memory).toBe(1232);
  });
});
