/**
 * Memory pattern analysis: what the history before a kill says about the container's memory.
 *
 * - chronic: usage sits high most of the time (the container is simply undersized);
 * - spike:   usage is normally well below the top, then jumps (a burst);
 * - leak:    the baseline climbs steadily for hours, and resets on restarts (a sawtooth across restarts);
 * - unknown: too little data.
 *
 * Method: the series is cut into 30-minute windows (or 6 periods, whichever is longer); each window's baseline is
 * its 20th-percentile Average (GC and request noise sit above it), or behind a GC sawtooth the floors after each
 * collection (gcFloors). A restart shows as a sudden baseline drop; the
 * climb is fitted within the segments between restarts with a Theil-Sen slope (the median of pairwise slopes, robust
 * to spikes and gaps), and the pairs' concordance says whether the climb is steady.
 *
 * Pure: no I/O, no clock (`now` is injected).
 */
import type { Confidence, MemoryPoint, MemorySeries, PatternAnalysis, UsagePattern } from './model';

export interface AnalyzeOptions {
  /** The killed container's hard limit in MiB of the series' scope, when known (else the series' ceiling). */
  limitMiB: number | null;
  now: number;
}

/**
 * A rise that had lasted this long when the kill came is a load cycle (a daily peak, a long job), not a short burst:
 * the kill shows the cycle's top.
 */
export const SUSTAINED_RISE_MINUTES = 60;
/** Usage whose median per-period peak sits at or above this share of the top is chronic (undersized). */
export const CHRONIC_SHARE = 0.7;
/** A burst is usage at or above this share of the way from the baseline to the top (the limit at the kill). */
export const BURST_LINE = 0.5;
/** A segment whose first half climbs this many times faster than its second half levels off: a refill, not a leak. */
export const PLATEAU_RATIO = 4;
/** A climb whose best one-step fit leaves under this share of a straight line's residual is a level shift. */
export const STEP_RATIO = 0.35;
/**
 * Drops that come at least 4 times, from one level to one floor (the highest of each under 1.15 × the lowest) and at
 * a steady pace (the longest gap under 1.8 × the shortest), at most this many
 * hours apart, are the process freeing memory (a full GC, a cache flush), not restarts: deploys and nightly restarts
 * are hours to days apart and irregular, and a leak killed at its limit drops from the limit.
 */
export const RELEASE_MAX_HOURS = 6;
/** Censored when the peak reaches 97 % of the ceiling. */
export const CENSORED_SHARE = 0.97;
const WINDOW_MS = 30 * 60_000;
const MIN_SEGMENT_HOURS = 1;
const MIN_POINTS = 12;
interface Usable {
  t: number;
  max: number;
  avg: number;
}

interface Window {
  t: number;
  base: number;
  /** How far this window's peaks (p90 of per-period Maximum) sit above its baseline. */
  swing: number;
  /** The window's highest per-period Maximum. */
  top: number;
}

/** A MiB figure for a sentence: whole above 100, one decimal below. */
export const fmt = (n: number): string => String(Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 10) / 10);
const pct = (n: number): string => `${(Math.round(n * 1000) / 10)}%`;

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

const median = (xs: readonly number[]): number => quantile([...xs].sort((a, b) => a - b), 0.5);

/** No machine has this much memory (the largest EC2 instances have 24 TiB): a value above it is not a measurement. */
export const MAX_PLAUSIBLE_MIB = 100 * 1024 * 1024;

function usablePoints(points: readonly MemoryPoint[]): Usable[] {
  const out: Usable[] = [];
  for (const p of points) {
    const max = p.maxMiB ?? p.avgMiB;
    const avg = p.avgMiB ?? p.maxMiB;
    if (max === null || avg === null || !Number.isFinite(max) || !Number.isFinite(avg)) continue;
    if (max > MAX_PLAUSIBLE_MIB || avg > MAX_PLAUSIBLE_MIB) continue;
    out.push({ t: p.t, max: Math.max(max, avg), avg });
  }
  out.sort((a, b) => a.t - b.t);
  return out;
}

/**
 * GC floors. A GC sawtooth (the Average climbs in small steps and falls in sudden drops, each over 4 × the median step:
 * at least 8 drops, which make 60 % of all the falling, jumps up under 20 % of the rising, and cycles a median of at
 * most 2 windows long) puts a 30-minute window's 20th percentile wherever the sawtooth's phase is. Its floor, the
 * level after each collection, is the live set: each point gets the lowest Average of its cycle, from one drop to the
 * next (the first cycle, cut by the history's start, also looks at the next). Slower drops are left to the windows,
 * which see them as restarts or as memory the process frees (RELEASE_MAX_HOURS). Null when there is no sawtooth.
 */
function gcFloors(pts: readonly Usable[]): number[] | null {
  const d = pts.slice(1).map((p, i) => p.avg - (pts[i] as Usable).avg);
  const big = 4 * median(d.map(Math.abs));
  const cut = [0];
  let fall = 0;
  let drop = 0;
  let rise = 0;
  let jump = 0;
  d.forEach((x, i) => {
    if (x < 0) fall -= x;
    else rise += x;
    if (x > big) jump += x;
    if (x < -big) {
      drop -= x;
      if (!((d[i - 1] ?? 0) < -big)) cut.push(i + 1);
    }
  });
  const gaps = cut.slice(2).map((c, k) => (pts[c] as Usable).t - (pts[cut[k + 1] as number] as Usable).t);
  if (cut.length < 9 || drop < 0.6 * fall || jump > 0.2 * rise || median(gaps) > 2 * WINDOW_MS) return null;
  cut.push(pts.length);
  const out: number[] = [];
  for (let k = 0; k + 1 < cut.length; k++) {
    const lo = pts.slice(cut[k], cut[k > 0 ? k + 1 : 2]).reduce((m, p) => Math.min(m, p.avg), Infinity);
    for (let i = cut[k] as number; i < (cut[k + 1] as number); i++) out.push(lo);
  }
  return out;
}

function windows(pts: readonly Usable[], periodMs: number, spanMs: number, floors: readonly number[] | null): Window[] {
  // 30-minute windows; shorter on short histories (at least 3 periods), so a climb of a few hours still has points.
  const width = Math.max(2 * periodMs, Math.min(WINDOW_MS, spanMs / 8));
  const out: Window[] = [];
  let start = 0;
  while (start < pts.length) {
    const t0 = (pts[start] as Usable).t;
    let end = start;
    while (end < pts.length && (pts[end] as Usable).t < t0 + width) end++;
    const slice = pts.slice(start, end);
    if (slice.length >= 2) {
      const avgs = slice.map((p, k) => floors?.[start + k] ?? p.avg).sort((a, b) => a - b);
      const maxes = slice.map((p) => p.max).sort((a, b) => a - b);
      const base = quantile(avgs, 0.2);
      out.push({ t: median(slice.map((p) => p.t)), base, swing: Math.max(0, quantile(maxes, 0.9) - base), top: maxes.at(-1) as number });
    }
    start = end;
  }
  return out;
}

/** Indices of windows that start a new segment: a sudden baseline drop (a restart). */
function resetIndices(ws: readonly Window[], noise: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < ws.length; i++) {
    const prev = (ws[i - 1] as Window).base;
    const cur = (ws[i] as Window).base;
    if (cur < prev * 0.85 && prev - cur > 4 * noise) out.push(i);
  }
  return out;
}

function resetTimes(ws: readonly Window[], noise: number): number[] {
  return resetIndices(ws, noise).map((i) => (ws[i] as Window).t);
}

/**
 * The last hour's baseline minus the baseline of the same clock hour 24 h earlier, when the history reaches that far
 * back and no restart lies in between; null otherwise. A leak adds ~24 × its hourly growth; a daily cycle about 0.
 */
function sameHourYesterdayDelta(ws: readonly Window[], restarts: readonly number[]): number | null {
  const last = ws[ws.length - 1];
  if (!last) return null;
  const hour = 3_600_000;
  const now = ws.filter((w) => w.t > last.t - hour).map((w) => w.base);
  const before = ws.filter((w) => w.t > last.t - 25 * hour && w.t <= last.t - 24 * hour).map((w) => w.base);
  if (now.length === 0 || before.length === 0) return null;
  if (restarts.some((t) => t > last.t - 25 * hour)) return null;
  return median(now) - median(before);
}

interface SlopeFit {
  slopePerHour: number;
  concordance: number;
  segmentHours: number[];
  climbStart: number | null;
  resets: number;
  /** The deepest gradual fall of the baseline within a segment (no restart): a daily cycle has one, a leak not. */
  drawdown: number;
  /** Segments (>= 1 h) whose baseline rose by more than the noise from their first to their last third. */
  rising: number;
  /**
   * The longest segment's curvature: the slope of its first half over the slope of its second half (Theil-Sen each).
   * A leak grows at a steady rate (about 1); a daily ramp starts flat and accelerates (near 0 or negative).
   */
  halfSlopeRatio: number | null;
  /**
   * The longest segment read as one step instead of a climb: the residual of the best two-level fit, with the step in
   * its middle half, over the residual of a straight line (near 0 for a step up with flat sides; above 1 for a steady
   * climb), the jump and when. Null below 8 windows.
   */
  step: { ratio: number; jump: number; at: number } | null;
  /** Regular drops at one level (see RELEASE_MAX_HOURS): the highest level they fall from; null otherwise. */
  release: number | null;
}

/** Largest over smallest. */
const span = (xs: readonly number[]): number => Math.max(...xs) / Math.min(...xs);

/** Every pair of windows (a, b), a before b, at a stride that keeps the pair count bounded on long histories. */
function forEachPair(seg: readonly Window[], maxPoints: number, visit: (a: Window, b: Window, hours: number) => void): void {
  const stride = Math.max(1, Math.floor(seg.length / maxPoints));
  for (let i = 0; i < seg.length; i += stride) {
    for (let j = i + stride; j < seg.length; j += stride) {
      const a = seg[i] as Window;
      const b = seg[j] as Window;
      const dh = (b.t - a.t) / 3_600_000;
      if (dh > 0) visit(a, b, dh);
    }
  }
}

function theilSen(seg: readonly Window[]): number {
  const slopes: number[] = [];
  forEachPair(seg, 60, (a, b, dh) => slopes.push((b.base - a.base) / dh));
  return slopes.length > 0 ? median(slopes) : Number.NaN;
}

/** Theil-Sen over the pairs of windows within each segment (pairs never cross a restart). */
function fitSegments(ws: readonly Window[], noise: number): SlopeFit {
  const resets = resetIndices(ws, noise);
  const bounds = [0, ...resets, ws.length];
  const slopes: number[] = [];
  let up = 0;
  let down = 0;
  const segmentHours: number[] = [];
  const starts: number[] = [];
  let drawdown = 0;
  let rising = 0;
  let longestHours = 0;
  let halfSlopeRatio: number | null = null;
  let step: SlopeFit['step'] = null;
  for (let s = 0; s + 1 < bounds.length; s++) {
    const seg = ws.slice(bounds[s], bounds[s + 1]);
    if (seg.length < 2) continue;
    const hours = ((seg[seg.length - 1] as Window).t - (seg[0] as Window).t) / 3_600_000;
    if (hours < MIN_SEGMENT_HOURS || seg.length < 5) continue;
    segmentHours.push(hours);
    if (s > 0) starts.push((seg[0] as Window).base);
    const third = Math.max(1, Math.floor(seg.length / 3));
    const head = median(seg.slice(0, third).map((w) => w.base));
    const tail = median(seg.slice(-third).map((w) => w.base));
    if (tail - head > 3 * noise) rising++;
    if (hours > longestHours) {
      longestHours = hours;
      const mid = Math.floor(seg.length / 2);
      const s1 = theilSen(seg.slice(0, mid + 1));
      const s2 = theilSen(seg.slice(mid));
      halfSlopeRatio = Number.isFinite(s1) && Number.isFinite(s2) && s2 > 0 ? s1 / s2 : null;
      step = stepFit(seg);
    }
    let high = -Infinity;
    for (const w of seg) {
      high = Math.max(high, w.base);
      drawdown = Math.max(drawdown, high - w.base);
    }
    forEachPair(seg, 120, (a, b, dh) => {
      slopes.push((b.base - a.base) / dh);
      if (b.base - a.base > noise * 0.5) up++;
      else if (a.base - b.base > noise * 0.5) down++;
    });
  }
  // Where the climb starts after a restart: the first baseline of segments that began with a reset, else the first
  // usable window (a series that starts mid-climb overstates it, which shortens the estimate: the safe side).
  const first = ws[0];
  const climbStart = starts.length > 0 ? median(starts) : first ? first.base : null;
  // The level it falls from: the highest Maximum of the window before each drop and of the one it is seen in (a kill
  // inside a window would otherwise read as a lower level); and the floor it falls to must be one level too.
  const levels = resets.map((i) => Math.max((ws[i - 1] as Window).top, (ws[i] as Window).top));
  const gaps = resets.slice(1).map((r, k) => ((ws[r] as Window).t - (ws[resets[k] as number] as Window).t) / 3_600_000);
  // And the last climb, to the kill, lasted under about 2.5 cycles (5 windows of 30 min per hour of gap; shorter
  // windows make it stricter): one that went on (a restart skipped) is a leak.
  const release =
    resets.length >= 4 && span(levels) < 1.15 && span(resets.map((i) => (ws[i] as Window).base)) < 1.15 && span(gaps) < 1.8 && median(gaps) <= RELEASE_MAX_HOURS &&
    ws.length - (resets.at(-1) as number) < 5 * median(gaps)
      ? Math.max(...levels)
      : null;
  return {
    slopePerHour: slopes.length > 0 ? median(slopes) : Number.NaN,
    concordance: up + down > 0 ? up / (up + down) : 0,
    segmentHours,
    climbStart,
    resets: resets.length,
    drawdown,
    rising,
    halfSlopeRatio,
    step,
    release,
  };
}

/**
 * The segment as one step (two flat levels) against a straight line: see SlopeFit.step. The step must lie in the
 * middle half, with a quarter of the segment on each side: the end of a history that finishes on a daily rise is not a
 * level that lasted.
 */
function stepFit(seg: readonly Window[]): SlopeFit['step'] {
  const n = seg.length;
  if (n < 8) return null;
  const x = seg.map((w) => w.t / 3_600_000);
  const y = seg.map((w) => w.base);
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += ((x[i] as number) - mx) ** 2;
    sxy += ((x[i] as number) - mx) * ((y[i] as number) - my);
  }
  const b = sxx > 0 ? sxy / sxx : 0;
  let lineSse = 0;
  for (let i = 0; i < n; i++) lineSse += ((y[i] as number) - my - b * ((x[i] as number) - mx)) ** 2;
  const sum = [0];
  const sq = [0];
  for (const v of y) {
    sum.push((sum[sum.length - 1] as number) + v);
    sq.push((sq[sq.length - 1] as number) + v * v);
  }
  const sse = (from: number, to: number): number => {
    const t = (sum[to] as number) - (sum[from] as number);
    return (sq[to] as number) - (sq[from] as number) - (t * t) / (to - from);
  };
  let best = Infinity;
  let at = -1;
  for (let k = Math.ceil(n / 4); k <= Math.floor((3 * n) / 4); k++) {
    const v = sse(0, k) + sse(k, n);
    if (v < best) {
      best = v;
      at = k;
    }
  }
  if (at < 0) return null;
  const jump = ((sum[n] as number) - (sum[at] as number)) / (n - at) - (sum[at] as number) / at;
  return { ratio: lineSse > 0 ? Math.max(0, best) / lineSse : 1, jump, at: (seg[at] as Window).t };
}

/**
 * Hours until a baseline that starts at `fromMiB` and grows `slopeMiBPerHour` reaches `limitMiB`, less the swing that
 * peaks add on top of the baseline. Null without growth.
 */
export function hoursUntil(slopeMiBPerHour: number | null, fromMiB: number, limitMiB: number, swingMiB = 0): number | null {
  if (slopeMiBPerHour === null || !Number.isFinite(slopeMiBPerHour) || slopeMiBPerHour <= 0) return null;
  return Math.max(0, (limitMiB - swingMiB - fromMiB) / slopeMiBPerHour);
}

/** Hours from a restart until a leaking container reaches `limitMiB` again; null when the analysis shows no growth. */
export function estimateNextKillHours(analysis: PatternAnalysis, limitMiB: number): number | null {
  const ev = analysis.evidence;
  if (analysis.pattern !== 'leak' || ev.slopeMiBPerHour === null) return null;
  const from = ev.climbStartMiB ?? ev.baselineMiB ?? ev.averageMiB;
  if (from === null || from === undefined) return null;
  const h = hoursUntil(ev.slopeMiBPerHour, from, limitMiB, ev.swingMiB ?? 0);
  return h === null ? null : Math.round(h * 10) / 10;
}

/**
 * Bursts in the history: runs of per-period peaks at or above halfway between the baseline and the top (the limit
 * at the kill). The kill is a burst that reached the top: when the last period does not show it (the sample at the
 * kill is often lost), it is counted anyway.
 */
export function burstsOf(pts: readonly { max: number }[], baseline: number, top: number): { count: number } {
  const threshold = baseline + BURST_LINE * (top - baseline);
  const peaks: number[] = [];
  let run = -Infinity;
  for (const p of pts) {
    if (p.max >= threshold) run = Math.max(run, p.max);
    else if (run > -Infinity) {
      peaks.push(run);
      run = -Infinity;
    }
  }
  if (run > -Infinity) peaks.push(run);
  else peaks.push(top);
  return { count: peaks.length };
}

function confidenceFor(points: number, hours: number, periodSeconds: number): Confidence {
  if (hours >= 24 && points >= 100) return 'high';
  if (hours >= 3 && (points >= 100 || (periodSeconds >= 300 && points >= 36))) return 'medium';
  return 'low';
}

/** Classify the memory history before a kill. */
export function analyzeMemory(series: MemorySeries, opts: AnalyzeOptions): PatternAnalysis {
  const pts = usablePoints(series.points);
  const periodMs = Math.max(60, series.periodSeconds || 60) * 1000;
  const ceiling = opts.limitMiB ?? series.ceilingMiB;
  const reasons: string[] = [];

  if (pts.length === 0) {
    return {
      pattern: 'unknown',
      confidence: 'low',
      evidence: {
        source: series.source, points: 0, hours: 0, peakMiB: null, averageMiB: null, slopeMiBPerHour: null,
        censored: false, baselineMiB: null, climbStartMiB: null, swingMiB: null, restarts: 0,
      },
      nextKillEstimateHours: null,
      reasons: [series.source === 'none' ? 'no memory metrics for this container' : 'the memory series has no data points'],
    };
  }

  const first = pts[0] as Usable;
  const last = pts[pts.length - 1] as Usable;
  const hours = (last.t - first.t + periodMs) / 3_600_000;
  const peak = pts.reduce((m, p) => Math.max(m, p.max), -Infinity);
  const average = pts.reduce((s, p) => s + p.avg, 0) / pts.length;
  const maxSorted = pts.map((p) => p.max).sort((a, b) => a - b);
  const baseline = quantile(maxSorted, 0.5);
  const censored = ceiling !== null && ceiling > 0 && peak >= CENSORED_SHARE * ceiling;
  const confidence = confidenceFor(pts.length, hours, series.periodSeconds);
  // The kill proves the demand reached the killed container's limit, seen or not (a burst between samples).
  const top = opts.limitMiB !== null ? Math.max(opts.limitMiB, peak) : censored && ceiling !== null ? Math.max(ceiling, peak) : peak;

  reasons.push(`${pts.length} points over ${fmt(hours)} h (${series.periodSeconds} s period, ${series.scope} scope)`);
  if (censored && ceiling !== null) {
    reasons.push(`peak ${fmt(peak)} MiB = ${pct(peak / ceiling)} of the ${fmt(ceiling)} MiB limit: censored, the real demand is higher`);
  } else if (ceiling !== null && opts.limitMiB !== null) {
    // The kill proves the demand reached the killed container's limit: the series just does not show it.
    reasons.push(
      `peak ${fmt(peak)} MiB = ${pct(peak / ceiling)} of the ${fmt(ceiling)} MiB limit: the kill's sample is missing, but the kill shows the demand reached ${fmt(opts.limitMiB)} MiB`,
    );
  } else if (ceiling !== null) {
    reasons.push(`peak ${fmt(peak)} MiB = ${pct(peak / ceiling)} of the ${fmt(ceiling)} MiB limit: not censored`);
  } else {
    reasons.push(`peak ${fmt(peak)} MiB, average ${fmt(average)} MiB, no known limit`);
  }

  const floors = gcFloors(pts);
  const ws = windows(pts, periodMs, last.t - first.t + periodMs, floors);
  // Window-to-window noise: the MAD of the baseline's steps around their median step, so a steady climb (every step
  // the same size) is not mistaken for noise.
  const steps: number[] = [];
  for (let i = 1; i < ws.length; i++) steps.push((ws[i] as Window).base - (ws[i - 1] as Window).base);
  const typicalStep = steps.length > 0 ? median(steps) : 0;
  const mad = steps.length > 0 ? median(steps.map((d) => Math.abs(d - typicalStep))) : 0;
  const noise = Math.max(1, (1.4826 * mad) / Math.SQRT2, 0.005 * baseline);
  const fit = ws.length >= 4 ? fitSegments(ws, noise) : null;
  const slope = fit && Number.isFinite(fit.slopePerHour) && fit.segmentHours.length > 0 ? fit.slopePerHour : null;
  // How far the per-period peaks sit above their window's baseline (GC sawtooth, request noise).
  const swing = ws.length > 0 ? median(ws.map((w) => w.swing)) : 0;

  const burstStats = burstsOf(pts, baseline, top);
  // How long usage had been at least halfway up to the top when the series ends (the kill): minutes for a burst,
  // hours for a daily load peak.
  const burstLine = baseline + BURST_LINE * (top - baseline);
  let runStart = pts.length;
  while (runStart > 0 && (pts[runStart - 1] as Usable).max >= burstLine) runStart--;
  const risenMinutes = runStart < pts.length ? Math.max(0, (opts.now - (pts[runStart] as Usable).t) / 60_000) : 0;
  const evidence = {
    source: series.source,
    points: pts.length,
    hours: Math.round(hours * 100) / 100,
    peakMiB: Math.round(peak * 10) / 10,
    averageMiB: Math.round(average * 10) / 10,
    slopeMiBPerHour: slope === null ? null : Math.round(slope * 100) / 100,
    censored,
    baselineMiB: Math.round(baseline * 10) / 10,
    climbStartMiB: fit?.climbStart === null || fit === null ? null : Math.round(fit.climbStart * 10) / 10,
    swingMiB: Math.round(Math.min(swing, 0.5 * top) * 10) / 10,
    restarts: fit?.resets ?? 0,
    bursts: burstStats.count,
    risenMinutes: Math.round(risenMinutes),
  };

  if (pts.length < MIN_POINTS || hours < 0.5) {
    reasons.push(`too little history to call a pattern (need ${MIN_POINTS} points over 30 min)`);
    return { pattern: 'unknown', confidence: 'low', evidence, nextKillEstimateHours: null, reasons };
  }

  let pattern: UsagePattern;
  let confidenceOut: Confidence = confidence;
  // Leak: a steady climb of the baseline within the segments between restarts.
  const longest = fit ? Math.max(0, ...fit.segmentHours) : 0;
  const growth = slope !== null ? slope * longest : 0;
  const climbs =
    fit !== null &&
    slope !== null &&
    slope > 0 &&
    fit.concordance >= 0.75 &&
    // Floors barely wander, so a GC'd floor needs to climb half as far (5 % of the top) as a baseline.
    growth >= Math.max((floors ? 0.05 : 0.1) * top, 6 * noise, 16) &&
    fit.drawdown - 3 * noise <= 0.3 * growth;
  // A climb alone is not a leak: a daily load ramp climbs too. The climb must persist across restarts (each segment
  // of a sawtooth climbs again), or span 1.5 daily cycles, or be near-linear (the same rate in both halves: a daily
  // ramp starts flat and accelerates) and, when a day of history allows it, sit above the same hour 24 h earlier.
  const dayDelta = sameHourYesterdayDelta(ws, fit ? resetTimes(ws, noise) : []);
  const acrossRestarts = fit !== null && fit.rising >= 2;
  const spansDays = longest >= 36;
  const ratio = fit?.halfSlopeRatio ?? null;
  const linear = ratio !== null && ratio >= 0.4 && ratio <= PLATEAU_RATIO;
  const notDiurnal = dayDelta === null || (slope !== null && dayDelta >= 0.5 * 24 * slope);
  // A level shift (a deploy that needs more, a cache filled once) climbs too, as one step with flat sides: not a leak.
  const stepped = fit?.step ?? null;
  const isStep = climbs && stepped !== null && stepped.ratio < STEP_RATIO && stepped.jump > 0;
  // A refill that levels off after each restart (a cache warming up) climbs again across restarts too; a leak keeps
  // its rate, so a longest segment whose second half grows several times slower than its first is a plateau.
  const plateaus = ratio !== null && ratio > PLATEAU_RATIO;
  // Drops at one level below the top, at a steady pace: the process frees the memory itself; nothing accumulates.
  const release = (fit?.release ?? Infinity) < 0.95 * top;
  // Behind a GC sawtooth the floors are the live set: one that rose through a whole day without falling back (the
  // drawdown gate in `climbs`) is retained memory, as a load cycle's live set falls by night; not one that levels off,
  // nor one that accelerates (a daily ramp from a task started at night, killed at the evening peak, never falls back
  // inside the history): the rate must be steady (`linear`).
  const gcDay = floors !== null && longest >= 20 && linear;
  const leak = climbs && !isStep && !release && ((acrossRestarts && !plateaus) || spansDays || (linear && notDiurnal) || gcDay);
  if (isStep && stepped) {
    reasons.push(
      `the baseline stepped up ${fmt(stepped.jump)} MiB at ${new Date(stepped.at).toISOString()} and stayed flat before and after ` +
        `(one step fits ${Math.round((1 - stepped.ratio) * 100)} % better than a steady climb): a level shift (a deploy, a cache, a config change), not a leak`,
    );
  }
  if (leak && fit && slope !== null) {
    const segs = fit.segmentHours.length;
    reasons.push(
      `baseline grows ${fmt(slope)} MiB/h over ${fmt(longest)} h (${segs} climb${segs === 1 ? '' : 's'}, ` +
        `${fit.resets} restart${fit.resets === 1 ? '' : 's'} reset it; ${pct(fit.concordance)} of window pairs rise): a leak`,
    );
    if (acrossRestarts) {
      reasons.push(`the climb persists across restarts: ${fit.rising} segments each climb again after a reset (a sawtooth)`);
    } else if (spansDays) {
      reasons.push(`one climb over ${fmt(longest)} h (1.5 daily cycles or more): not a daily load ramp`);
    } else {
      reasons.push(
        gcDay
          ? `behind a GC sawtooth, the floor after each collection (the live set) rose through ${fmt(longest)} h without falling back ` +
              `(a load cycle's live set falls by night): confidence at most medium; check the graph over a few days`
          : `one climb in ${fmt(hours)} h of history, steady or slowing (first-half slope / second-half slope = ${(ratio ?? 0).toFixed(2)}: ` +
            `a daily ramp accelerates; a slow cache fill can look like this)` +
            (dayDelta !== null ? `, ${fmt(dayDelta)} MiB above the same hour 24 h earlier` : ', no earlier day to compare with') +
            `: confidence at most medium; check the graph over a few days`,
      );
      if (confidenceOut === 'high') confidenceOut = 'medium';
    }
  } else if (climbs && slope !== null && !isStep) {
    const why = release
      ? `it falls back ${fit?.resets ?? ''} times from about ${fmt(fit?.release ?? 0)} MiB at a steady pace: the process frees it (a full GC, a cache flush), not restarts`
      : plateaus
      ? `each run climbs and then levels off (first-half / second-half slope ${(ratio ?? 0).toFixed(2)}): a refill, such as a cache warming up after a restart`
      : !linear
      ? `its rate is not steady (first-half / second-half slope ${ratio === null ? 'n/a' : ratio.toFixed(2)}: a daily load ramp accelerates like this)`
      : `it is only ${fmt(dayDelta ?? 0)} MiB above the same hour 24 h earlier (a leak of ${fmt(slope)} MiB/h would add ${fmt(24 * slope)} MiB): a daily cycle`;
    reasons.push(`the baseline climbed ${fmt(slope)} MiB/h over ${fmt(longest)} h, but ${why}; not called a leak, though one cannot be ruled out`);
    confidenceOut = confidenceOut === 'high' ? 'medium' : 'low';
  }
  if (leak) {
    pattern = 'leak';
  } else if (!(top > 0)) {
    // Every point 0 and no limit to say where the kill was: a metric that reported nothing, not a usage pattern.
    pattern = 'unknown';
    confidenceOut = 'low';
    reasons.push('the series shows no usage at all (every point 0) and no limit for the kill: no pattern to read from it');
  } else if (baseline >= CHRONIC_SHARE * top) {
    pattern = 'chronic';
    reasons.push(`usage sits high: median per-period peak ${fmt(baseline)} MiB = ${pct(baseline / top)} of ${fmt(top)} MiB: undersized`);
  } else {
    pattern = 'spike';
    // Name the burst: the last run of points above halfway between the median and the top.
    const threshold = burstLine;
    let i = pts.length - 1;
    while (i >= 0 && (pts[i] as Usable).max < threshold) i--;
    let j = i;
    while (j > 0 && (pts[j - 1] as Usable).max >= threshold) j--;
    const bursts = evidence.bursts;
    const jumpAt = i >= 0 ? (pts[j] as Usable).t : last.t;
    const minutesBefore = Math.round((opts.now - jumpAt) / 60_000);
    const sustained = evidence.risenMinutes >= SUSTAINED_RISE_MINUTES;
    reasons.push(
      `usage normally ~${fmt(baseline)} MiB (median per-period peak, ${pct(baseline / top)} of ${fmt(top)} MiB), ` +
        `then ${sustained ? 'a sustained rise' : 'a burst'} of +${fmt(top - baseline)} MiB` +
        (i >= 0 ? ` starting ${new Date(jumpAt).toISOString()} (${minutesBefore} min before the kill)` : ' too short to show in the metrics') +
        `; ${bursts} burst${bursts === 1 ? '' : 's'} above ${fmt(threshold)} MiB in the history, the kill's included` +
        (sustained ? `; a rise that lasts over ${SUSTAINED_RISE_MINUTES} min is a load peak (a daily cycle, a long job), not a short spike` : ''),
    );
  }

  let nextKillEstimateHours: number | null = null;
  const analysis: PatternAnalysis = { pattern, confidence: confidenceOut, evidence, nextKillEstimateHours, reasons };
  if (pattern === 'leak' && ceiling !== null) {
    nextKillEstimateHours = estimateNextKillHours(analysis, ceiling);
    if (nextKillEstimateHours !== null) {
      reasons.push(
        `at the ${fmt(ceiling)} MiB limit the next kill comes ~${fmt(nextKillEstimateHours)} h after a restart ` +
          `(climb from ${fmt(evidence.climbStartMiB ?? baseline)} MiB at ${fmt(slope ?? 0)} MiB/h)`,
      );
    }
  }
  if (slope !== null && pattern !== 'leak' && !climbs) reasons.push(`baseline trend ${fmt(slope)} MiB/h: no steady climb`);
  reasons.push(
    `confidence ${confidenceOut}: ${fmt(hours)} h and ${pts.length} points (high needs 24 h and 100 points, medium 3 h)` +
      (confidenceOut !== confidence ? `, lowered from ${confidence} by the leak check above` : ''),
  );
  return { ...analysis, nextKillEstimateHours };
}
