import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { READ_ONLY_FIELDS, renderFixSnippets, renderRuntimeFlag, shQuote } from '../lambda/fix-snippets';
import { adviseRuntime } from '../lambda/runtime-flags';
import { ec2GovCloud, leak, longNames, noMetrics, oomChronic, sidecarOom } from './fixtures/triage-results';
import type { TriageResult } from '../lambda/model';

function hasJq(): boolean {
  try {
    execFileSync('jq', ['--version']);
    return true;
  } catch {
    return false;
  }
}

function snippets(r: TriageResult) {
  return renderFixSnippets(r.recommendation!, { task: r.task, taskDefinition: r.taskDefinition, runtime: r.runtime });
}

describe('shQuote', () => {
  it('leaves safe words bare and single-quotes the rest', () => {
    expect(shQuote('api:42')).toBe('api:42');
    expect(shQuote('my svc')).toBe("'my svc'");
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
    expect(shQuote('')).toBe("''");
    expect(shQuote('$(rm -rf /)')).toBe("'$(rm -rf /)'");
  });
  it('round-trips through a real shell', () => {
    for (const v of ["it's", 'a b\nc', '$HOME `x` "q"', 'ü 服务', longNames.task.serviceName!]) {
      const out = execFileSync('sh', ['-c', `printf %s ${shQuote(v)}`]).toString();
      expect(out).toBe(v);
    }
  });
});

describe('JSON fragment', () => {
  it('Fargate: task size strings and the container limits', () => {
    expect(JSON.parse(snippets(oomChronic).json)).toEqual({
      cpu: '1024',
      memory: '3072',
      containerDefinitions: [{ name: 'web', memory: 2560, memoryReservation: 1664 }],
    });
  });
  it('no task change: container only', () => {
    expect(JSON.parse(snippets(sidecarOom).json)).toEqual({ containerDefinitions: [{ name: 'datadog-agent', memory: 384, memoryReservation: 192 }] });
  });
});

describe('CLI steps', () => {
  it('describe -> jq (strip read-only fields, set limits) -> register -> update-service', () => {
    const cli = snippets(oomChronic).cli;
    expect(cli).toContain('aws ecs describe-task-definition --region eu-west-1 --task-definition api:42');
    for (const f of READ_ONLY_FIELDS) expect(cli).toContain(`.${f}`);
    expect(cli).toContain('(.containerDefinitions[] | select(.name == $c)) |= (.memory = 2560 | .memoryReservation = 1664 | .environment = ');
    expect(cli).toContain('# 2. Set the new limits and JAVA_TOOL_OPTIONS, and strip the read-only fields');
    expect(cli).toContain(`jq --arg c web --arg v JAVA_TOOL_OPTIONS --arg flag -XX:MaxRAMPercentage=75.0 --argjson drop '[]' '`);
    expect(cli).toContain('.cpu = "1024"');
    expect(cli).toContain('.memory = "3072"');
    expect(cli).toContain('aws ecs register-task-definition --region eu-west-1 --cli-input-json file://td-new.json');
    expect(cli).toContain('aws ecs update-service --region eu-west-1 --cluster prod-cluster \\\n  --service api --task-definition api');
  });
  it('standalone task: no update-service, says run-task', () => {
    const cli = snippets(noMetrics).cli;
    expect(cli).not.toContain('update-service');
    expect(cli).toContain('aws ecs run-task --region eu-west-1 --cluster prod-cluster --task-definition nightly-report');
  });
  it('quotes odd names', () => {
    const cli = snippets(longNames).cli;
    expect(cli).toContain(`--service '${longNames.task.serviceName!.replace(/'/g, `'\\''`)}'`);
    expect(cli).toContain(`jq --arg c ${shQuote(longNames.recommendation!.container)} `);
  });

  /** Runs step 2 of the CLI steps as printed (the shell quoting included) on `td`, and returns td-new.json. */
  function runStep2(cli: string, td: unknown): Record<string, unknown> {
    const command = /^(jq --arg [\s\S]*?> td-new\.json)$/m.exec(cli)![1]!;
    const dir = mkdtempSync(join(tmpdir(), 'jq-'));
    writeFileSync(join(dir, 'td.json'), JSON.stringify(td));
    execFileSync('sh', ['-c', command], { cwd: dir });
    return JSON.parse(readFileSync(join(dir, 'td-new.json'), 'utf8')) as Record<string, unknown>;
  }
  const describeOutput = (env: { name: string; value: string }[] | undefined) => ({
    taskDefinitionArn: 'arn', revision: 42, status: 'ACTIVE', requiresAttributes: [], compatibilities: ['FARGATE'], registeredAt: 'x', registeredBy: 'y',
    family: 'api', cpu: '1024', memory: '2048',
    containerDefinitions: [{ name: 'web', memory: 1792, memoryReservation: 1024, ...(env ? { environment: env } : {}) }, { name: 'log-router', memoryReservation: 50 }],
  });

  it.skipIf(!hasJq())('the jq step really edits a describe-task-definition document: limits, task size, and the heap variable in place', () => {
    const out = runStep2(snippets(oomChronic).cli, describeOutput([{ name: 'JAVA_TOOL_OPTIONS', value: '-Xmx1536m' }, { name: 'DB_HOST', value: 'db' }]));
    expect(out).toEqual({
      family: 'api', cpu: '1024', memory: '3072',
      containerDefinitions: [
        { name: 'web', memory: 2560, memoryReservation: 1664, environment: [{ name: 'JAVA_TOOL_OPTIONS', value: '-XX:MaxRAMPercentage=75.0' }, { name: 'DB_HOST', value: 'db' }] },
        { name: 'log-router', memoryReservation: 50 },
      ],
    });
    // No variable yet (or no environment at all): it is added.
    const added = runStep2(snippets(oomChronic).cli, describeOutput(undefined));
    expect((added.containerDefinitions as { environment?: unknown }[])[0]!.environment).toEqual([{ name: 'JAVA_TOOL_OPTIONS', value: '-XX:MaxRAMPercentage=75.0' }]);
  });

  it.skipIf(!hasJq())('edits the variable word by word: its other options stay as written (quotes, $, spacing), an -Xms above the new heap goes', () => {
    const value = "-Xms2g -XX:+UseG1GC -Dapp.name='it''s'  -Dpath=$HOME -Dbar=-Xmx4g -Djavax.net.ssl.trustStorePassword=hunter2 -Xmx2g";
    const runtime = adviseRuntime({ image: 'eclipse-temurin:21', environment: { JAVA_TOOL_OPTIONS: value }, command: [], entryPoint: [] }, 2464)!;
    expect(runtime.alsoRemove).toEqual(['-Xms2g']);
    const r: TriageResult = { ...oomChronic, runtime };
    const cli = snippets(r).cli;
    const out = runStep2(cli, describeOutput([{ name: 'JAVA_TOOL_OPTIONS', value }, { name: 'DB_PASSWORD', value: 's3cret' }]));
    expect((out.containerDefinitions as { environment?: unknown }[])[0]!.environment).toEqual([
      { name: 'JAVA_TOOL_OPTIONS', value: "-XX:+UseG1GC -Dapp.name='it''s'  -Dpath=$HOME -Dbar=-Xmx4g -Djavax.net.ssl.trustStorePassword=hunter2 -XX:MaxRAMPercentage=75.0" },
      { name: 'DB_PASSWORD', value: 's3cret' },
    ]);
    // No value of any variable is printed anywhere: only flags.
    const all = JSON.stringify(renderFixSnippets(r.recommendation!, { task: r.task, taskDefinition: r.taskDefinition, runtime }));
    expect(all).not.toMatch(/hunter2|UseG1GC|trustStore/);
    expect(snippets(r).cdk).toContain('// environment JAVA_TOOL_OPTIONS: replace -Xmx2g with -XX:MaxRAMPercentage=75.0 and remove -Xms2g (keep its other options)');
    expect(renderRuntimeFlag(runtime)).toBe('In JAVA_TOOL_OPTIONS, replace -Xmx2g with -XX:MaxRAMPercentage=75.0, and remove -Xms2g');
  });

  const goRuntime = () => adviseRuntime({ image: 'golang:1.23', environment: { GOMEMLIMIT: '3GiB' }, command: [], entryPoint: [] }, 2560)!;

  it('Go: the sentence sets GOMEMLIMIT (naming the old size), and so does the CDK snippet', () => {
    const runtime = goRuntime();
    const r: TriageResult = { ...oomChronic, runtime };
    expect(renderRuntimeFlag(runtime)).toBe('Set GOMEMLIMIT=2304MiB (it was 3GiB)');
    expect(snippets(r).cdk).toContain(`  environment: { GOMEMLIMIT: '2304MiB' }, // merge with your other variables (replaces 3GiB)`);
    expect(snippets(r).cli).toContain(`--arg v GOMEMLIMIT --arg flag 2304MiB`);
    const none = adviseRuntime({ image: 'golang:1.23', environment: {}, command: [], entryPoint: [] }, 2560)!;
    expect(renderRuntimeFlag(none)).toBe("Set GOMEMLIMIT=2304MiB in the container's environment");
  });

  it.skipIf(!hasJq())('Go: the jq step replaces the GOMEMLIMIT value whatever it holds, or adds it', () => {
    const r: TriageResult = { ...oomChronic, runtime: goRuntime() };
    for (const old of ['3GiB', ' 3GiB ', '', '3GiB\n']) {
      const out = runStep2(snippets(r).cli, describeOutput([{ name: 'GOMEMLIMIT', value: old }, { name: 'GOGC', value: '100' }]));
      expect((out.containerDefinitions as { environment?: unknown }[])[0]!.environment).toEqual([
        { name: 'GOMEMLIMIT', value: '2304MiB' },
        { name: 'GOGC', value: '100' },
      ]);
    }
    const added = runStep2(snippets(r).cli, describeOutput(undefined));
    expect((added.containerDefinitions as { environment?: unknown }[])[0]!.environment).toEqual([{ name: 'GOMEMLIMIT', value: '2304MiB' }]);
  });

  it.skipIf(!hasJq())('takes out every heap word, whatever separates them, and names every one the sentence must', () => {
    const run = (value: string, extra: Record<string, string> = {}, command: string[] = []) => {
      const environment = { JAVA_TOOL_OPTIONS: value, ...extra };
      const runtime = adviseRuntime({ image: 'eclipse-temurin:21', environment, command, entryPoint: [] }, 2464)!;
      const r: TriageResult = { ...oomChronic, runtime };
      const out = runStep2(snippets(r).cli, describeOutput([{ name: 'JAVA_TOOL_OPTIONS', value }]));
      return { runtime, value: ((out.containerDefinitions as { environment: { value: string }[] }[])[0]!.environment[0]!).value, text: renderRuntimeFlag(runtime)!, cli: snippets(r).cli };
    };
    // Tabs and newlines separate words too.
    const tabs = run('-Dpw=S\t-Xmx2g\n-XX:+UseG1GC');
    expect(tabs.value).toBe('-Dpw=S\t\n-XX:+UseG1GC -XX:MaxRAMPercentage=75.0');
    // Two heap sizes, or a size and a percentage, in one variable: the sentence names both.
    const two = run('-Xmx1g -Dpw=S -Xmx2g');
    expect(two.text).toBe('In JAVA_TOOL_OPTIONS, replace -Xmx2g with -XX:MaxRAMPercentage=75.0, and remove -Xmx1g');
    expect(two.value).toBe('-Dpw=S -XX:MaxRAMPercentage=75.0');
    const mixed = run('-Xmx2g -XX:MaxRAMPercentage=80');
    expect(mixed.text).toBe('In JAVA_TOOL_OPTIONS, replace -Xmx2g with -XX:MaxRAMPercentage=75.0, and remove -XX:MaxRAMPercentage=80');
    expect(mixed.value).toBe('-XX:MaxRAMPercentage=75.0');
    // A percentage in a later source would override the fix; a floor in the command would undo it.
    const later = run('-Xmx2g', { _JAVA_OPTIONS: '-XX:MaxRAMPercentage=90' }, ['java', '-Xms2g', '-jar', 'app.jar']);
    expect(later.runtime.envVar).toBe('JAVA_TOOL_OPTIONS');
    expect(later.text).toBe(
      'In JAVA_TOOL_OPTIONS, replace -Xmx2g with -XX:MaxRAMPercentage=75.0; also remove -XX:MaxRAMPercentage=90 from _JAVA_OPTIONS, -Xms2g from the command',
    );
    const tool = run('-Xmx2g', {}, ['java', '-Xms2g', '-jar', 'app.jar']);
    expect(tool.text).toBe('In JAVA_TOOL_OPTIONS, replace -Xmx2g with -XX:MaxRAMPercentage=75.0; also remove -Xms2g from the command');
    expect(tool.cli).toContain("#    and remove -Xms2g from the container's command: it would override the fix");
  });

  it.skipIf(!hasJq())('a variable with no value, and a heap word inside another option, are handled', () => {
    const runtime = adviseRuntime({ image: 'eclipse-temurin:21', environment: { JAVA_TOOL_OPTIONS: '-Dopts=-Xmx4g -Dpw=S' }, command: [], entryPoint: [] }, 2464)!;
    expect(runtime.currentFlag).toBeNull(); // -Dopts=-Xmx4g is a property's value, not a heap size
    const r: TriageResult = { ...oomChronic, runtime };
    const out = runStep2(snippets(r).cli, describeOutput([{ name: 'JAVA_TOOL_OPTIONS' } as { name: string; value: string }]));
    expect((out.containerDefinitions as { environment: unknown[] }[])[0]!.environment).toEqual([{ name: 'JAVA_TOOL_OPTIONS', value: '-XX:MaxRAMPercentage=75.0' }]);
  });

  it('a heap flag in the command: the CLI steps and the CDK snippet say what to change there', () => {
    const r: TriageResult = { ...oomChronic, runtime: { ...oomChronic.runtime!, envVar: null, alsoRemove: ['-Xms2g'] } };
    expect(snippets(r).cli).toContain("#    and in the container's command: replace -Xmx1536m with -XX:MaxRAMPercentage=75.0 and remove -Xms2g");
    expect(snippets(r).cli).not.toContain('--arg v');
    expect(snippets(r).cdk).toContain('// command: replace -Xmx1536m with -XX:MaxRAMPercentage=75.0 and remove -Xms2g');
  });

  it('a heap variable set by the RunTask overrides: the CLI steps say to change it there too', () => {
    const task = { ...oomChronic.task, overrides: { containers: [{ name: 'web', memory: null, memoryReservation: null, environment: { JAVA_TOOL_OPTIONS: '-Xmx1536m' }, command: null }], memory: null, cpu: null } };
    const r: TriageResult = { ...oomChronic, task };
    expect(snippets(r).cli).toContain('JAVA_TOOL_OPTIONS was set by the RunTask overrides, which win over the task definition: change it there too');
    expect(snippets(r).runtimeFlag).toBe('In JAVA_TOOL_OPTIONS, replace -Xmx1536m with -XX:MaxRAMPercentage=75.0 (in the RunTask overrides, which win over the task definition)');
  });
});

describe('CDK snippet', () => {
  it('Fargate: FargateTaskDefinition cpu/memoryLimitMiB and addContainer limits + heap env', () => {
    const cdk = snippets(oomChronic).cdk;
    expect(cdk).toContain("new ecs.FargateTaskDefinition(this, 'TaskDefinition', {\n  cpu: 1024,\n  memoryLimitMiB: 3072,\n});");
    expect(cdk).toContain("taskDefinition.addContainer('web', {");
    expect(cdk).toContain('memoryLimitMiB: 2560,\n  memoryReservationMiB: 1664,');
    expect(cdk).toContain('// environment JAVA_TOOL_OPTIONS: replace -Xmx1536m with -XX:MaxRAMPercentage=75.0 (keep its other options)');
    // A variable that carries no heap flag yet gets the flag alone, to merge.
    const fresh = renderFixSnippets(oomChronic.recommendation!, { task: oomChronic.task, taskDefinition: oomChronic.taskDefinition, runtime: { ...oomChronic.runtime!, currentFlag: null } }).cdk;
    expect(fresh).toContain("environment: { JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75.0' }, // merge with your other variables (append to it if it is set)");
  });
  it('EC2 without task size: Ec2TaskDefinition', () => {
    const cdk = snippets(ec2GovCloud).cdk;
    expect(cdk).toContain("new ecs.Ec2TaskDefinition(this, 'TaskDefinition');");
    expect(cdk).toContain('memoryLimitMiB: 896,\n  memoryReservationMiB: 640,');
  });
  it('EC2 with a task size: TaskDefinition with EC2 compatibility', () => {
    const r: TriageResult = { ...ec2GovCloud, recommendation: { ...ec2GovCloud.recommendation!, taskMemory: 1024, taskCpu: 512 } };
    expect(snippets(r).cdk).toContain("compatibility: ecs.Compatibility.EC2,\n  cpu: '512',\n  memoryMiB: '1024',");
  });
  it('escapes names in TypeScript string literals', () => {
    expect(snippets(longNames).cdk).toContain("addContainer('\\'web\\' <b>&\\ncontainer ");
  });
});

describe('runtime flag', () => {
  it('env var form, command form, none', () => {
    expect(renderRuntimeFlag(oomChronic.runtime)).toBe('In JAVA_TOOL_OPTIONS, replace -Xmx1536m with -XX:MaxRAMPercentage=75.0');
    expect(renderRuntimeFlag(leak.runtime)).toBe('In NODE_OPTIONS, replace --max-old-space-size=900 with --max-old-space-size=1152');
    expect(renderRuntimeFlag({ ...leak.runtime!, envVar: null, currentFlag: null })).toBe('Add --max-old-space-size=1152 to the container command');
    expect(renderRuntimeFlag({ ...leak.runtime!, currentFlag: null })).toBe('Add --max-old-space-size=1152 to NODE_OPTIONS');
    expect(renderRuntimeFlag({ ...leak.runtime!, envVar: null })).toBe('In the container command, replace --max-old-space-size=900 with --max-old-space-size=1152');
    expect(renderRuntimeFlag(noMetrics.runtime)).toBeNull();
    expect(renderRuntimeFlag(null)).toBeNull();
  });
});
