import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { READ_ONLY_FIELDS, renderFixSnippets, renderRuntimeFlag, shQuote } from '../lambda/fix-snippets';
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
    expect(cli).toContain('(.containerDefinitions[] | select(.name == $c)) |= (.memory = 2560 | .memoryReservation = 1664)');
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
    expect(cli).toContain(`jq --arg c ${shQuote(longNames.recommendation!.container)} '`);
  });
  it.skipIf(!hasJq())('the jq program really edits a describe-task-definition document', () => {
    const cli = snippets(oomChronic).cli;
    const program = /jq --arg c web '\n([\s\S]*?)' td\.json/.exec(cli)![1]!;
    const td = {
      taskDefinitionArn: 'arn', revision: 42, status: 'ACTIVE', requiresAttributes: [], compatibilities: ['FARGATE'], registeredAt: 'x', registeredBy: 'y',
      family: 'api', cpu: '1024', memory: '2048',
      containerDefinitions: [{ name: 'web', memory: 1792, memoryReservation: 1024 }, { name: 'log-router', memoryReservation: 50 }],
    };
    const out = JSON.parse(execFileSync('jq', ['--arg', 'c', 'web', program], { input: JSON.stringify(td) }).toString());
    expect(out).toEqual({
      family: 'api', cpu: '1024', memory: '3072',
      containerDefinitions: [{ name: 'web', memory: 2560, memoryReservation: 1664 }, { name: 'log-router', memoryReservation: 50 }],
    });
  });
});

describe('CDK snippet', () => {
  it('Fargate: FargateTaskDefinition cpu/memoryLimitMiB and addContainer limits + heap env', () => {
    const cdk = snippets(oomChronic).cdk;
    expect(cdk).toContain("new ecs.FargateTaskDefinition(this, 'TaskDefinition', {\n  cpu: 1024,\n  memoryLimitMiB: 3072,\n});");
    expect(cdk).toContain("taskDefinition.addContainer('web', {");
    expect(cdk).toContain('memoryLimitMiB: 2560,\n  memoryReservationMiB: 1664,');
    expect(cdk).toContain("environment: { JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75.0' }");
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
    expect(renderRuntimeFlag(oomChronic.runtime)).toBe('JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75.0 (replaces -Xmx1536m)');
    expect(renderRuntimeFlag(leak.runtime)).toBe('NODE_OPTIONS=--max-old-space-size=1152 (replaces --max-old-space-size=900)');
    expect(renderRuntimeFlag({ ...leak.runtime!, envVar: null, currentFlag: null })).toBe('add --max-old-space-size=1152 to the container command');
    expect(renderRuntimeFlag(noMetrics.runtime)).toBeNull();
    expect(renderRuntimeFlag(null)).toBeNull();
  });
});
