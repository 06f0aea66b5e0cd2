/**
 * The fix, ready to apply, in the four shapes people use: the task-definition JSON fragment, the AWS CLI steps
 * (describe -> jq edit -> register -> update-service), a CDK snippet, and the runtime heap flag. Pure.
 */
import type { Recommendation, RuntimeAdvice, TaskDefinition, TaskSnapshot } from './model';
import { needsFargateSize } from './fargate-sizes';
import { heapWord } from './runtime-flags';

export interface FixSnippets {
  /** containerDefinitions / task-size fragment (task cpu and memory are strings, as the API takes them). */
  json: string;
  /** Shell steps, commented. */
  cli: string;
  /** TypeScript CDK snippet. */
  cdk: string;
  /**
   * The runtime step as a sentence, e.g. `Set JAVA_TOOL_OPTIONS=-XX:+UseG1GC -XX:MaxRAMPercentage=75.0 (replaces
   * -Xmx1536m)`, or null: `before` + `copy` (what to paste: the variable's whole new value, or the flag) + `after`.
   */
  runtimeFlag: string | null;
  runtimeStep: { before: string; copy: string; after: string } | null;
}

export interface FixContext {
  task: TaskSnapshot;
  taskDefinition: TaskDefinition | null;
  runtime: RuntimeAdvice | null;
}

/** Fields describe-task-definition returns that register-task-definition rejects. */
export const READ_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
] as const;

/** POSIX shell quoting: bare when safe, else single quotes with `'\''` for embedded quotes. */
export function shQuote(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_\-.,:/=@+%]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function isFargate(ctx: FixContext): boolean {
  return needsFargateSize(ctx.task.launchType, ctx.taskDefinition?.requiresCompatibilities);
}

/** Task cpu/memory to write: the recommendation's, else (Fargate needs both) the current ones. */
function taskSize(rec: Recommendation, ctx: FixContext): { cpu: number | null; memory: number | null; changed: boolean } {
  const changed = rec.taskMemory !== null || rec.taskCpu !== null;
  const cpu = rec.taskCpu ?? rec.current.taskCpu ?? ctx.taskDefinition?.cpu ?? ctx.task.cpu;
  const memory = rec.taskMemory ?? rec.current.taskMemory ?? ctx.taskDefinition?.memory ?? ctx.task.memory;
  return { cpu, memory, changed };
}

export function renderJsonFragment(rec: Recommendation, ctx: FixContext): string {
  const size = taskSize(rec, ctx);
  const fragment: Record<string, unknown> = {};
  if (size.changed) {
    if (size.cpu !== null) fragment.cpu = String(size.cpu);
    if (size.memory !== null) fragment.memory = String(size.memory);
  }
  fragment.containerDefinitions = [containerLimits(rec)];
  return JSON.stringify(fragment, null, 2);
}

/** The container's new limits; with no hard limit proposed, the reservation alone (memory stays unset). */
function containerLimits(rec: Recommendation): Record<string, unknown> {
  return {
    name: rec.container,
    ...(rec.memory === null ? {} : { memory: rec.memory }),
    ...(rec.memoryReservation === null ? {} : { memoryReservation: rec.memoryReservation }),
  };
}

function taskDefinitionRef(ctx: FixContext): string {
  const family = ctx.taskDefinition?.family ?? ctx.task.family;
  const revision = ctx.taskDefinition?.revision ?? ctx.task.revision;
  if (family && revision !== null) return `${family}:${revision}`;
  return ctx.taskDefinition?.taskDefinitionArn ?? ctx.task.taskDefinitionArn ?? family ?? 'TASK_DEFINITION';
}

export function renderCliSteps(rec: Recommendation, ctx: FixContext): string {
  const region = ctx.task.region;
  const r = region ? ` --region ${shQuote(region)}` : '';
  const family = ctx.taskDefinition?.family ?? ctx.task.family ?? 'FAMILY';
  const size = taskSize(rec, ctx);
  const limits = [rec.memory === null ? null : `.memory = ${rec.memory}`, rec.memoryReservation === null ? null : `.memoryReservation = ${rec.memoryReservation}`]
    .filter((x) => x !== null)
    .join(' | ') || '.';
  const rt = ctx.runtime?.recommendedFlag && ctx.runtime.envVar && (ctx.runtime.runtime === 'jvm' || ctx.runtime.runtime === 'node' || ctx.runtime.runtime === 'go') ? ctx.runtime : null;
  // The heap flag's variable is edited in place, word by word (its other options kept as they are), or added: the new
  // revision carries the heap fix too, and no variable's value is ever printed (it may hold a secret). GOMEMLIMIT holds
  // the size alone: all of it is replaced.
  const heap = rt ? heapWord(rt.runtime) : '';
  const env = rt
    ? ` | .environment = ((.environment // []) | if any(.name == $v) ` +
      `then map(if .name == $v then .value = (([(.value // "") | match("\\\\s+|\\\\S+"; "g").string | select(test("^\\\\s") or ((test("${heap}") or IN($drop[])) | not))] | join("") | sub("\\\\s+$"; "")) + " " + $flag | sub("^\\\\s+"; "")) else . end) ` +
      `else . + [{name: $v, value: $flag}] end)`
    : '';
  const edits = [`(.containerDefinitions[] | select(.name == $c)) |= (${limits}${env})`];
  if (size.changed) {
    if (size.cpu !== null) edits.push(`.cpu = "${size.cpu}"`);
    if (size.memory !== null) edits.push(`.memory = "${size.memory}"`);
  }
  const program = [`del(${READ_ONLY_FIELDS.map((f) => `.${f}`).join(', ')})`, ...edits].join('\n  | ');
  const lines = [
    `# 1. Fetch the task definition that was killed`,
    `aws ecs describe-task-definition${r} --task-definition ${shQuote(taskDefinitionRef(ctx))} \\`,
    `  --query taskDefinition --output json > td.json`,
    ``,
    rt ? `# 2. Set the new limits and ${rt.envVar}, and strip the read-only fields` : `# 2. Set the new limits and strip the read-only fields`,
    `jq --arg c ${shQuote(rec.container)}${rt ? ` --arg v ${shQuote(rt.envVar ?? '')} --arg flag ${shQuote(rt.recommendedFlag ?? '')} --argjson drop ${shQuote(JSON.stringify(rt.alsoRemove))}` : ''} '`,
    `  ${program}' td.json > td-new.json`,
    ``,
    ...(ctx.runtime?.recommendedFlag && !ctx.runtime.envVar ? [`#    and in the container's command: ${wordEdit(ctx.runtime)}`, ``] : []),
    ...(ctx.runtime?.recommendedFlag ? ctx.runtime.removeElsewhere.map((f) => `#    and remove ${f.flag} from ${f.envVar ?? "the container's command"}: it would override the fix`) : []),
    ...(rt && overriddenEnv(ctx, rec.container, rt.envVar)
      ? [`#    ${rt.envVar} was set by the RunTask overrides, which win over the task definition: change it there too`, ``]
      : []),
    `# 3. Register the new revision`,
    `aws ecs register-task-definition${r} --cli-input-json file://td-new.json \\`,
    `  --query taskDefinition.taskDefinitionArn --output text`,
    ``,
  ];
  const ov = ctx.task.overrides ?? null;
  if (ov && (ov.memory !== null || ov.containers.some((c) => c.memory !== null || c.memoryReservation !== null))) {
    // The running values came from overrides: a new revision alone changes nothing for this task.
    const overrides: Record<string, unknown> = {
      containerOverrides: [containerLimits(rec)],
    };
    if (size.cpu !== null) overrides.cpu = String(size.cpu);
    if (size.memory !== null) overrides.memory = String(size.memory);
    lines.push(
      `# The task was started with memory overrides, which win over the task definition: set the new values`,
      `# where the overrides are given (RunTask call, EventBridge Scheduler / rule target, Step Functions state), e.g.`,
      `aws ecs run-task${r} --cluster ${shQuote(ctx.task.clusterName)} --task-definition ${shQuote(family)} \\`,
      `  --overrides ${shQuote(JSON.stringify(overrides))} ...`,
    );
    return lines.join('\n');
  }
  if (ctx.task.serviceName) {
    lines.push(
      `# 4. Deploy it (the family name picks the newest ACTIVE revision)`,
      `aws ecs update-service${r} --cluster ${shQuote(ctx.task.clusterName)} \\`,
      `  --service ${shQuote(ctx.task.serviceName)} --task-definition ${shQuote(family)}`,
    );
  } else {
    lines.push(
      `# 4. Standalone task (no service): start the next run with the new revision,`,
      `#    e.g. aws ecs run-task${r} --cluster ${shQuote(ctx.task.clusterName)} --task-definition ${shQuote(family)} ...`,
      `#    and update whatever schedules it (EventBridge Scheduler / rule target) to the new revision.`,
    );
  }
  return lines.join('\n');
}

/** A single-quoted TypeScript string literal. */
export function tsString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

export function renderCdkSnippet(rec: Recommendation, ctx: FixContext): string {
  const size = taskSize(rec, ctx);
  const lines: string[] = [`import * as ecs from 'aws-cdk-lib/aws-ecs';`, ``];
  if (isFargate(ctx)) {
    lines.push(`const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {`);
    if (size.cpu !== null) lines.push(`  cpu: ${size.cpu},`);
    if (size.memory !== null) lines.push(`  memoryLimitMiB: ${size.memory},`);
    lines.push(`});`);
  } else if (size.changed) {
    lines.push(`const taskDefinition = new ecs.TaskDefinition(this, 'TaskDefinition', {`, `  compatibility: ecs.Compatibility.EC2,`);
    if (size.cpu !== null) lines.push(`  cpu: '${size.cpu}',`);
    if (size.memory !== null) lines.push(`  memoryMiB: '${size.memory}',`);
    lines.push(`});`);
  } else {
    lines.push(`const taskDefinition = new ecs.Ec2TaskDefinition(this, 'TaskDefinition');`);
  }
  lines.push(`taskDefinition.addContainer(${tsString(rec.container)}, {`, `  // image, logging, ... unchanged`);
  if (rec.memory !== null) lines.push(`  memoryLimitMiB: ${rec.memory},`);
  if (rec.memoryReservation !== null) lines.push(`  memoryReservationMiB: ${rec.memoryReservation},`);
  const rt = ctx.runtime;
  if (rt?.runtime === 'go' && rt.recommendedFlag && rt.envVar) {
    lines.push(`  environment: { ${rt.envVar}: ${tsString(rt.recommendedFlag)} }, // merge with your other variables${rt.currentFlag ? ` (replaces ${rt.currentFlag})` : ''}`);
  } else if (rt?.recommendedFlag && rt.envVar && (rt.currentFlag || rt.alsoRemove.length > 0)) {
    lines.push(`  // environment ${rt.envVar}: ${wordEdit(rt)} (keep its other options)`);
  } else if (rt?.recommendedFlag && rt.envVar) {
    lines.push(
      `  environment: { ${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(rt.envVar) ? rt.envVar : tsString(rt.envVar)}: ${tsString(rt.recommendedFlag)} }, // merge with your other variables (append to it if it is set)`,
    );
  } else if (rt?.recommendedFlag) {
    lines.push(`  // command: ${wordEdit(rt)}`);
  }
  lines.push(`});`);
  return lines.join('\n');
}

/** `replace -Xmx2g with -XX:MaxRAMPercentage=75.0 and remove -Xms2g`: flags only, never a variable's value. */
function wordEdit(rt: RuntimeAdvice): string {
  if (rt.runtime === 'go') return `set ${rt.envVar ?? 'GOMEMLIMIT'}=${rt.recommendedFlag ?? ''}`;
  const remove = rt.alsoRemove.length > 0 ? ` and remove ${rt.alsoRemove.join(' ')}` : '';
  return `${rt.currentFlag ? `replace ${rt.currentFlag} with` : 'add'} ${rt.recommendedFlag ?? ''}${remove}${elsewhere(rt, '; ')}`;
}

/** `; also remove -Xms2g from the command`: heap settings elsewhere that would override or undo the fix. */
function elsewhere(rt: RuntimeAdvice, lead: string): string {
  return rt.removeElsewhere.length > 0 ? `${lead}also remove ${rt.removeElsewhere.map((f) => `${f.flag} from ${f.envVar ?? 'the command'}`).join(', ')}` : '';
}

/** The variable came from the task's RunTask overrides (which win over the task definition). */
function overriddenEnv(ctx: FixContext, container: string, envVar: string | null): boolean {
  return envVar !== null && ctx.task.overrides?.containers.some((c) => c.name === container && c.environment[envVar] !== undefined) === true;
}

/** The runtime step: what to paste (`copy`, the flag), with the words around it; a variable's value never appears. */
export function runtimeStep(runtime: RuntimeAdvice | null): FixSnippets['runtimeStep'] {
  if (!runtime?.recommendedFlag) return null;
  // GOMEMLIMIT is a whole value, not a flag among others: it is set (its old value is a size, safe to name).
  if (runtime.runtime === 'go') {
    return { before: `Set ${runtime.envVar ?? 'GOMEMLIMIT'}=`, copy: runtime.recommendedFlag, after: runtime.currentFlag ? ` (it was ${runtime.currentFlag})` : ' in the container\'s environment' };
  }
  const remove = (runtime.alsoRemove.length > 0 ? `, and remove ${runtime.alsoRemove.join(' ')}` : '') + elsewhere(runtime, '; ');
  const where = runtime.envVar ?? 'the container command';
  if (runtime.currentFlag) return { before: `In ${where}, replace ${runtime.currentFlag} with `, copy: runtime.recommendedFlag, after: remove };
  return { before: 'Add ', copy: runtime.recommendedFlag, after: ` to ${where}${remove}` };
}

export function renderRuntimeFlag(runtime: RuntimeAdvice | null): string | null {
  const step = runtimeStep(runtime);
  return step ? `${step.before}${step.copy}${step.after}` : null;
}

export function renderFixSnippets(rec: Recommendation, ctx: FixContext): FixSnippets {
  let step = runtimeStep(ctx.runtime);
  // The variable the fix edits came from the RunTask overrides, which win over the task definition: say where.
  if (step && ctx.runtime && overriddenEnv(ctx, rec.container, ctx.runtime.envVar)) {
    step = { ...step, after: `${step.after} (in the RunTask overrides, which win over the task definition)` };
  }
  return {
    json: renderJsonFragment(rec, ctx),
    cli: renderCliSteps(rec, ctx),
    cdk: renderCdkSnippet(rec, ctx),
    runtimeFlag: step ? `${step.before}${step.copy}${step.after}` : null,
    runtimeStep: step,
  };
}
