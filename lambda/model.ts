/**
 * The domain model shared by every module: what a stopped task looks like once parsed, what the classifier says
 * about it, what evidence was gathered, and the triage result that the renderers turn into alerts.
 *
 * Units: memory in MiB, cpu in CPU units (1024 = 1 vCPU), times in epoch milliseconds.
 * Pure types only: no runtime code, no SDK imports.
 */

export type LaunchType = 'FARGATE' | 'EC2' | 'EXTERNAL' | 'MANAGED_INSTANCES';

/** One container as the task state change event (or describe-tasks) reports it. */
export interface ContainerState {
  name: string;
  exitCode: number | null;
  reason: string | null;
  lastStatus: string | null;
  /** Container-level hard limit from the event, when the task definition sets one. */
  memory: number | null;
  /** Container-level soft limit from the event, when the task definition sets one. */
  memoryReservation: number | null;
  cpu: number | null;
  image: string | null;
}

/** One container's `containerOverrides` entry: only the fields the fix depends on. */
export interface ContainerOverride {
  name: string;
  memory: number | null;
  memoryReservation: number | null;
  /** Environment variables the override adds or replaces. */
  environment: Record<string, string>;
  command: string[] | null;
}

export interface TaskOverrides {
  containers: ContainerOverride[];
  /** Task-level cpu/memory overrides. */
  cpu: number | null;
  memory: number | null;
}

/** A task, normalised from any of the input formats (EventBridge, describe-tasks, PascalCase Step Functions). */
export interface TaskSnapshot {
  clusterArn: string;
  /** Cluster name, taken from the ARN's last path segment. */
  clusterName: string;
  taskArn: string;
  /** The last path segment of the task ARN. */
  taskId: string;
  taskDefinitionArn: string | null;
  /** `family` and `revision` parsed from the task-definition ARN. */
  family: string | null;
  revision: number | null;
  /** `service:NAME` or `family:NAME`, or null when absent. */
  group: string | null;
  /** The service name when `group` is `service:NAME`; null for standalone tasks. */
  serviceName: string | null;
  launchType: LaunchType | null;
  capacityProviderName: string | null;
  region: string | null;
  accountId: string | null;
  /** `aws`, `aws-cn`, `aws-us-gov`, … from the ARN; `aws` when unknown. */
  partition: string;
  /** Task-level cpu and memory (strings in the event, numbers here). */
  cpu: number | null;
  memory: number | null;
  lastStatus: string | null;
  desiredStatus: string | null;
  stopCode: string | null;
  stoppedReason: string | null;
  startedAt: number | null;
  stoppingAt: number | null;
  stoppedAt: number | null;
  /** `detail.version`: increments with each state change of one task. */
  version: number | null;
  availabilityZone: string | null;
  containers: ContainerState[];
  /**
   * `overrides` the task was started with (RunTask, EventBridge Scheduler, Step Functions): what it ran with, which
   * can differ from the task definition. Null when the input carries none.
   */
  overrides?: TaskOverrides | null;
  /** Parts of the input that could not be read (skipped container entries, a containers field of the wrong type). */
  parseWarnings?: string[];
  /** EventBridge envelope, when the input was an event. */
  eventId: string | null;
  eventTime: number | null;
}

export type ContainerKind = 'oom-killed' | 'oom-at-start' | 'sigkill' | 'exited' | 'running';
export type Verdict = 'oom' | 'possible-oom' | 'not-oom';
export type Confidence = 'high' | 'medium' | 'low';

export interface ContainerVerdict {
  name: string;
  exitCode: number | null;
  reason: string | null;
  kind: ContainerKind;
  /** From the task definition when known; null when nothing says. */
  essential: boolean | null;
  /** Human explanation of this container's end, e.g. "SIGKILL after stopTimeout during a deployment scale-in". */
  explanation: string;
}

export interface KillClassification {
  verdict: Verdict;
  confidence: Confidence;
  containers: ContainerVerdict[];
  /** The container the alert is about (the OOM-killed one, else the SIGKILLed one), or null. */
  target: string | null;
  /** For a SIGKILL that is not an OOM: its likely cause and the fix (SIGTERM handling / stopTimeout). */
  sigkillCause: string | null;
  /** Why the verdict is what it is, one line each. */
  notes: string[];
}

export interface LogConfiguration {
  logDriver: string;
  options: Record<string, string>;
}

export interface ContainerDefinition {
  name: string;
  image: string | null;
  essential: boolean;
  memory: number | null;
  memoryReservation: number | null;
  cpu: number | null;
  environment: Record<string, string>;
  command: string[];
  entryPoint: string[];
  logConfiguration: LogConfiguration | null;
  /** Seconds; null = the default (30 s). */
  stopTimeout: number | null;
}

export interface TaskDefinition {
  taskDefinitionArn: string | null;
  family: string;
  revision: number | null;
  cpu: number | null;
  memory: number | null;
  requiresCompatibilities: string[];
  networkMode: string | null;
  containers: ContainerDefinition[];
  /**
   * When this revision was registered (DescribeTaskDefinition `registeredAt`), epoch ms. Absent when the input does not
   * say: no task of this revision ran before it.
   */
  registeredAt?: number;
}

/**
 * One metric point, already converted to MiB of the scope it measures.
 * `maxMiB` is the period's Maximum, `avgMiB` its Average; either may be missing.
 */
export interface MemoryPoint {
  t: number;
  maxMiB: number | null;
  avgMiB: number | null;
}

export type EvidenceSource =
  | 'container-insights-container'
  | 'container-insights-task'
  | 'container-insights-service'
  | 'aws-ecs-service'
  | 'none';

/** A memory history, as gathered by the metrics adapter or read from a file by `triage`. */
export interface MemorySeries {
  source: EvidenceSource;
  /** What the numbers measure: one container, one task, or a service's tasks. */
  scope: 'container' | 'task' | 'service' | 'none';
  periodSeconds: number;
  /** Sorted by time, oldest first. */
  points: MemoryPoint[];
  /**
   * The limit the series was censored at, in MiB of the same scope (the container's hard limit for container
   * scope, the task memory for task/service scope), when known.
   */
  ceilingMiB: number | null;
}

export type UsagePattern = 'chronic' | 'spike' | 'leak' | 'unknown';
export type Runtime = 'jvm' | 'node' | 'python' | 'go' | 'other';

/** What the pattern analysis saw: the data behind the call. */
export interface Evidence {
  source: EvidenceSource;
  points: number;
  hours: number;
  /** Observed peak in MiB (censored at the ceiling when the kill hit it). */
  peakMiB: number | null;
  averageMiB: number | null;
  /** Least-squares growth of the rolling baseline, MiB per hour; null without enough data. */
  slopeMiBPerHour: number | null;
  /** True when the peak sits at (≥ 97 % of) the ceiling: the real demand is unknown and higher. */
  censored: boolean;
  /** Typical level: the median per-period Maximum, MiB (optional, from analyzeMemory). */
  baselineMiB?: number | null;
  /** Leak: the baseline right after a restart, where the climb starts, MiB (optional). */
  climbStartMiB?: number | null;
  /** How far per-period peaks sit above the rolling baseline (GC sawtooth, noise), MiB (optional). */
  swingMiB?: number | null;
  /** Restarts (sudden baseline drops) seen in the history (optional). */
  restarts?: number;
  /**
   * Bursts: runs of per-period peaks above halfway between the baseline and the limit, the kill's own burst counted
   * even when no period shows it (optional, from analyzeMemory).
   */
  bursts?: number;
  /**
   * Minutes the usage had been at least halfway from the baseline to the limit when the kill came (0 when the last
   * period is below): minutes for a burst, hours for a load cycle (optional, from analyzeMemory).
   */
  risenMinutes?: number;
}


export interface PatternAnalysis {
  pattern: UsagePattern;
  confidence: Confidence;
  evidence: Evidence;
  /** Leak only: hours until usage reaches the given limit at the current growth rate. */
  nextKillEstimateHours: number | null;
  /** The limit that estimate is for, when it is the proposed one (absent or null: the limit at the kill). */
  nextKillAtMiB?: number | null;
  reasons: string[];
}

export interface RuntimeAdvice {
  runtime: Runtime;
  /** Where it was recognised: `image`, `JAVA_OPTS`, `NODE_OPTIONS`, `command`, … */
  detectedFrom: string | null;
  /** The heap flag currently set, e.g. `-Xmx900m`, or null. */
  currentFlag: string | null;
  /** The flag to set under the new limit, e.g. `-XX:MaxRAMPercentage=75.0`, and where to put it. */
  recommendedFlag: string | null;
  envVar: string | null;
  /**
   * Words the fix also removes where it goes (`envVar`, or the command): other heap settings there, and heap floors
   * (`-Xms2g`) above the heap the fix gives (the JVM would raise its maximum heap to them). Only flags, never a value.
   */
  alsoRemove: string[];
  /** Heap settings and floors in other places that would override or undo the fix: each to remove where it is. */
  removeElsewhere: { flag: string; envVar: string | null }[];
  problems: string[];
  /** Profiling advice for leaks, e.g. `--heapsnapshot-near-heap-limit=2` for Node. */
  profiling: string | null;
}

export interface MemoryValues {
  memory: number | null;
  memoryReservation: number | null;
  taskMemory: number | null;
  taskCpu: number | null;
}

export interface Recommendation {
  container: string;
  /**
   * Container hard limit, MiB. Null: keep none. Only for a container that had no hard limit, no task memory above it
   * and no usage data: a cap sized from nothing could kill a container that used more than it before.
   */
  memory: number | null;
  /** Container soft limit, MiB. Null: leave it unset (a task whose containers share the task memory, none of them capped). */
  memoryReservation: number | null;
  /** Task-level memory when it must be set or change (always set on Fargate), else null. */
  taskMemory: number | null;
  taskCpu: number | null;
  current: MemoryValues;
  /** Each number's reason: which rule produced it from which inputs. */
  reasons: string[];
  /** The seed's dead ends that apply to the current configuration. */
  deadEnds: string[];
}

/** Everything the alert needs. One per task. Serialisable as JSON (the SNS programmatic payload). */
export interface TriageResult {
  task: TaskSnapshot;
  classification: KillClassification;
  taskDefinition: TaskDefinition | null;
  analysis: PatternAnalysis;
  runtime: RuntimeAdvice | null;
  recommendation: Recommendation | null;
  /** The service's deployed task-definition revision when it is newer than the killed task's. */
  staleRevision: { killed: number; deployed: number; deployedTaskDefinitionArn: string; deployedValues: MemoryValues | null } | null;
  /** Suggestions that are not part of the memory fix, e.g. enabling Container Insights. */
  suggestions: string[];
  warnings: string[];
  confidence: Confidence;
  /** When the triage was computed (injected clock). */
  generatedAt: number;
}
