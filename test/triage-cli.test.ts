import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeText, metricsWindowWarnings, runTriageCommand, TriageUsageError } from '../cli/triage-command';
import { EXAMPLES, SHARED_FIXTURES, loadFixtures, loadJson } from './helpers/fixtures';

const ROOT = resolve(__dirname, '..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const tmp = mkdtempSync(join(tmpdir(), 'triage-'));

function cli(...args: string[]) {
  const r = spawnSync(TSX, ['bin/triage.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: unknown): string {
  const path = join(tmp, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const read = (path: string) => require('node:fs').readFileSync(path, 'utf8') as string;
const run = (args: Partial<Parameters<typeof runTriageCommand>[0]>) =>
  runTriageCommand({ input: undefined, extra: [], format: 'json', ...args }, read);

const example = {
  input: `${EXAMPLES}/oom-event.json`,
  taskDefinition: `${EXAMPLES}/task-definition.json`,
  metrics: `${EXAMPLES}/metrics.json`,
};

describe('triage command (the real CLI process)', () => {
  it('npm start triages the bundled example end to end', () => {
    const r = cli(example.input, '--task-definition', example.taskDefinition, '--metrics', example.metrics);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Verdict: OOM \(confidence high\) - container app/);
    expect(r.stdout).toMatch(/memory \(hard limit\)\s+1024 MiB -> \d+ MiB/);
    expect(r.stdout).toMatch(/-Xmx900m/);
  });

  it('gives the verdict its own confidence, as Slack and email do, and the memory pattern its own (no metrics: low)', () => {
    const r = cli(example.input);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Verdict: OOM \(confidence high\) - container app$/m);
    expect(r.stdout).toMatch(/^Memory pattern: unknown \(confidence low\)$/m);
    const json = JSON.parse(cli(example.input, '--json').stdout) as { confidence: string };
    expect(json.confidence).toBe('low'); // overall: the lower of the two
  });

  it('says what is wrong with a metrics file: another metric, unreadable datapoints, none at all, one page, a failed query, points after the kill', async () => {
    const ex = loadJson<{ Label: string; Datapoints: Record<string, unknown>[] }>(example.metrics);
    const metricsRun = (m: unknown, flag: 'metrics' | 'containerInsights' = 'metrics') =>
      run({ input: example.input, taskDefinition: example.taskDefinition, [flag]: file(`m-${Math.random()}.json`, m) });
    const warnings = async (m: unknown, flag?: 'metrics' | 'containerInsights') => (JSON.parse(await metricsRun(m, flag)) as { warnings: string[] }).warnings.join('\n');
    // A get-metric-statistics Label names the metric: CPU or a reservation is not memory use.
    await expect(metricsRun({ ...ex, Label: 'CPUUtilization' })).rejects.toThrow(/the file holds CPUUtilization, not memory use/);
    await expect(metricsRun({ ...ex, Label: 'MemoryReservation' })).rejects.toThrow(/the file holds MemoryReservation/);
    // --extended-statistics p99, or Sum/SampleCount: named, not read as "no metrics".
    const p99 = { Label: 'MemoryUtilization', Datapoints: ex.Datapoints.map((d) => ({ Timestamp: d['Timestamp'], ExtendedStatistics: { p99: 80 }, Unit: 'Percent' })) };
    await expect(metricsRun(p99)).rejects.toThrow(/\d+ datapoints, none with a Timestamp and a numeric Maximum or Average \(they hold ExtendedStatistics\)/);
    // No datapoints at all: a misspelled dimension or the wrong time range.
    expect(await warnings({ Label: 'MemoryUtilization', Datapoints: [] })).toMatch(/has no datapoints: check the ClusterName and ServiceName/);
    // get-metric-data: one page (NextToken), and a query that failed.
    const ts = ex.Datapoints.map((d) => d['Timestamp']);
    const gmd = (status: string, extra: Record<string, unknown> = {}) => ({
      MetricDataResults: [
        { Id: 'max', Label: 'MemoryUtilization', Timestamps: ts, Values: ex.Datapoints.map((d) => d['Maximum']), StatusCode: status },
        { Id: 'avg', Label: 'MemoryUtilization', Timestamps: ts, Values: ex.Datapoints.map((d) => d['Average']), StatusCode: 'Complete' },
      ],
      ...extra,
    });
    expect(await warnings(gmd('PartialData', { NextToken: 'abc' }))).toMatch(/is one page of a paginated result/);
    expect(await warnings(gmd('InternalError'))).toMatch(/the max query \(InternalError\) did not complete/);
    expect(await warnings(gmd('Complete'))).not.toMatch(/paginated|did not complete/);
    // Points after the kill are left out, and said so (a replacement task, or a time-zone offset).
    const later = { ...ex, Datapoints: [...ex.Datapoints, { Timestamp: '2026-11-20T17:00:00+00:00', Maximum: 40, Average: 30, Unit: 'Percent' }] };
    expect(await warnings(later)).toMatch(/1 point after the kill at .* left out/);
    // Container Insights percentages: their base is not certain.
    const ciPct = { ...ex, Label: 'ContainerMemoryUtilization' };
    expect(await warnings(ciPct, 'containerInsights')).toMatch(/holds Container Insights percentages.*export ContainerMemoryUtilized/);
  });

  it('checks the unit against the numbers, reads get-metric-data with default labels, and warns about points from before the revision', async () => {
    const ex = loadJson<{ Label: string; Datapoints: Record<string, unknown>[] }>(example.metrics);
    const runWith = async (over: Record<string, unknown>) =>
      JSON.parse(await run({ input: example.input, taskDefinition: example.taskDefinition, ...over })) as { warnings: string[]; confidence: string; evidence: { peak: number } };
    // MiB (Container Insights, no Unit, no label) passed as --metrics: read as percent, values far above 100.
    const mib = { Datapoints: ex.Datapoints.map((d) => ({ Timestamp: d['Timestamp'], Maximum: (d['Maximum'] as number) * 10.24, Average: (d['Average'] as number) * 10.24 })) };
    const asPercent = await runWith({ metrics: file('mib.json', mib) });
    expect(asPercent.warnings.join('\n')).toMatch(/values up to 1024 read as percent: these look like MiB/);
    expect(asPercent.confidence).toBe('low');
    // Percentages passed as --container-insights: read as MiB, never above 100 for a 1024 MiB task.
    const pct = { Datapoints: ex.Datapoints.map(({ Unit: _u, ...d }) => d) };
    const asMiB = await runWith({ containerInsights: file('pct.json', pct) });
    expect(asMiB.warnings.join('\n')).toMatch(/values never above 100 MiB for a 1024 MiB task: these look like percentages/);
    expect(asMiB.confidence).toBe('low');
    // The example as it is: no doubt.
    expect((await runWith({ metrics: example.metrics })).warnings.join('\n')).not.toMatch(/look like/);
    // get-metric-data with the AWS examples' Ids (m1, m2) and both labels the metric's name: the Maximum is the one never below.
    const ts = ex.Datapoints.map((d) => d['Timestamp']);
    const gmd = {
      MetricDataResults: [
        { Id: 'm1', Label: 'MemoryUtilization', Timestamps: ts, Values: ex.Datapoints.map((d) => d['Average']), StatusCode: 'Complete' },
        { Id: 'm2', Label: 'MemoryUtilization', Timestamps: ts, Values: ex.Datapoints.map((d) => d['Maximum']), StatusCode: 'Complete' },
      ],
    };
    expect((await runWith({ metrics: file('gmd.json', gmd) })).evidence.peak).toBe(1024);
    // A revision registered inside the history: AWS/ECS percentages before it are shares of the older size.
    const td = loadJson<{ taskDefinition: Record<string, unknown> }>(example.taskDefinition);
    const newer = file('td-new.json', { ...td, taskDefinition: { ...td.taskDefinition, registeredAt: '2026-11-20T02:00:00+00:00' } });
    const resized = await runWith({ taskDefinition: newer, metrics: example.metrics });
    expect(resized.warnings.join('\n')).toMatch(/\d+ of its 288 points are from before 2026-11-20T02:00:00Z, when this task definition revision was registered/);
    expect((await runWith({ metrics: example.metrics })).warnings.join('\n')).not.toMatch(/revision was registered/);
  });

  it('does not doubt a file that states its Unit, reads a CLI-joined paginated export whole, and refuses another metric in get-metric-data too', async () => {
    const ex = loadJson<{ Label: string; Datapoints: Record<string, unknown>[] }>(example.metrics);
    const runWith = async (over: Record<string, unknown>) =>
      JSON.parse(await run({ input: example.input, taskDefinition: example.taskDefinition, ...over })) as { warnings: string[]; confidence: string; evidence: { points: number } };
    // A stated Unit is the file's own word: Megabytes peaking at 100 (a small sidecar) is not doubted.
    const mb = { Label: 'ContainerMemoryUtilized', Datapoints: ex.Datapoints.map((d) => ({ ...d, Maximum: 100, Average: 90, Unit: 'Megabytes' })) };
    expect((await runWith({ containerInsights: file('mb.json', mb) })).warnings.join('\n')).not.toMatch(/look like/);
    // The AWS CLI joins an auto-paginated get-metric-data result's pages: each Id twice, PartialData on the first page.
    const ts = ex.Datapoints.map((d) => d['Timestamp']);
    const half = Math.floor(ts.length / 2);
    const page = (from: number, to: number, status: string) => [
      { Id: 'max', Label: 'MemoryUtilization', Timestamps: ts.slice(from, to), Values: ex.Datapoints.slice(from, to).map((d) => d['Maximum']), StatusCode: status },
      { Id: 'avg', Label: 'MemoryUtilization', Timestamps: ts.slice(from, to), Values: ex.Datapoints.slice(from, to).map((d) => d['Average']), StatusCode: status },
    ];
    const joined = await runWith({ metrics: file('joined.json', { MetricDataResults: [...page(0, half, 'PartialData'), ...page(half, ts.length, 'Complete')] }) });
    expect(joined.evidence.points).toBe(ts.length);
    expect(joined.warnings.join('\n')).not.toMatch(/one page/);
    // Another metric's name in a get-metric-data label is refused as in get-metric-statistics output; a label someone
    // chose (Max, Avg) is not a metric's name.
    const cpu = { MetricDataResults: page(0, ts.length, 'Complete').map((r) => ({ ...r, Label: 'CPUUtilization' })) };
    await expect(run({ input: example.input, metrics: file('cpu.json', cpu) })).rejects.toThrow(/the file holds CPUUtilization, not memory use/);
    const chosen = { MetricDataResults: page(0, ts.length, 'Complete').map((r) => ({ ...r, Label: r.Id === 'max' ? 'Max' : 'Avg' })) };
    expect((await runWith({ metrics: file('chosen.json', chosen) })).evidence.points).toBe(ts.length);
    // Ids that say nothing: read, and said so. All zeros: said so.
    const m12 = { MetricDataResults: page(0, ts.length, 'Complete').map((r) => ({ ...r, Id: r.Id === 'max' ? 'm1' : 'm2' })) };
    expect((await runWith({ metrics: file('m12.json', m12) })).warnings.join('\n')).toMatch(/no query Id or label says which result is the Maximum/);
    const zeros = { ...ex, Datapoints: ex.Datapoints.map((d) => ({ ...d, Maximum: 0, Average: 0 })) };
    expect((await runWith({ metrics: file('zeros.json', zeros) })).warnings.join('\n')).toMatch(/holds 288 points, all zero: telemetry that never reported/);
  });

  it('does not doubt percentages far above 100 for reservations only (EC2, no task memory: the AWS page says they can pass 100 %)', async () => {
    const ev = loadJson<{ detail: Record<string, unknown> & { containers: Record<string, unknown>[] } }>(example.input);
    const detail = { ...ev.detail, memory: undefined, launchType: 'EC2', containers: ev.detail.containers.map((c) => ({ ...c, memory: undefined, memoryReservation: '128' })) };
    const ex = loadJson<{ Datapoints: Record<string, unknown>[] }>(example.metrics);
    const pct = { MetricDataResults: [
      { Id: 'max', Timestamps: ex.Datapoints.map((d) => d['Timestamp']), Values: ex.Datapoints.map((d) => (d['Maximum'] as number) * 5.5) },
      { Id: 'avg', Timestamps: ex.Datapoints.map((d) => d['Timestamp']), Values: ex.Datapoints.map((d) => (d['Average'] as number) * 5.5) },
    ] };
    const out = JSON.parse(await run({ input: file('ev-soft.json', { ...ev, detail }), metrics: file('pct-soft.json', pct) })) as { warnings: string[] };
    expect(out.warnings.join('\n')).not.toMatch(/look like/);
  });

  it('shows a confidence the CLI lowered on the verdict line', async () => {
    const ex = loadJson<{ Datapoints: Record<string, unknown>[] }>(example.metrics);
    const mib = { Datapoints: ex.Datapoints.map((d) => ({ Timestamp: d['Timestamp'], Maximum: (d['Maximum'] as number) * 10.24, Average: (d['Average'] as number) * 10.24 })) };
    const text = await run({ input: example.input, taskDefinition: example.taskDefinition, metrics: file('mib-text.json', mib), format: 'text' });
    expect(text).toMatch(/^Verdict: OOM \(confidence high\) - container app; overall confidence low \(see the warnings\)$/m);
  });

  it('refuses AWS Batch describe-jobs output with the command that gets the job\'s ECS task', () => {
    const jobs = file('batch-jobs.json', {
      jobs: [{ jobId: '8e76ecf5', status: 'FAILED', container: { exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage', taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/AWSBatch-ce-1a2b/0f1e2d3c' } }],
    });
    const r = cli(jobs);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `triage: ${jobs}: this is AWS Batch describe-jobs output, not an ECS task: triage the job's task, from aws ecs describe-tasks --cluster AWSBatch-ce-1a2b --tasks arn:aws:ecs:us-east-1:123456789012:task/AWSBatch-ce-1a2b/0f1e2d3c`,
    );
  });

  it('prints the documented JSON document with --json', () => {
    const r = cli(example.input, '--task-definition', example.taskDefinition, '--metrics', example.metrics, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      verdict: 'oom',
      confidence: 'high',
      pattern: 'chronic',
      runtime: 'jvm',
      containers: [
        { name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage', kind: 'oom-killed', essential: true },
        { name: 'log_router', exitCode: 0, reason: null, kind: 'exited', essential: false },
      ],
      recommendation: { container: 'app' },
      evidence: { source: 'aws-ecs-service', points: 288 },
    });
    expect(doc.recommendation.memory).toBeGreaterThan(1024);
    expect(doc.recommendation.memoryReservation).toBeLessThanOrEqual(doc.recommendation.memory);
    expect(doc.recommendation.taskMemory).toBeGreaterThanOrEqual(doc.recommendation.memory + 50);
    expect(doc.evidence.hours).toBeCloseTo(23.9, 0);
    expect(Array.isArray(doc.reasons)).toBe(true);
    expect(doc.nextKillEstimateHours).toBeNull();
  });

  it.each([
    ['a missing file', ['/nonexistent/x.json'], /\/nonexistent\/x\.json: cannot read the file \(ENOENT\)/],
    ['invalid JSON', [file('bad.json', '{"detail": ')], /bad\.json: not valid JSON/],
    ['an empty file', [file('empty.json', '')], /empty\.json: the file is empty/],
    ['JSON with no task', [file('none.json', { hello: 1 })], /none\.json: no task found/],
    ['a bad task definition', [`${EXAMPLES}/oom-event.json`, '--task-definition', file('td.json', { taskDefinition: {} })], /td\.json: task definition: no containerDefinitions/],
    ['bad metrics', [`${EXAMPLES}/oom-event.json`, '--metrics', file('m.json', [])], /m\.json: metrics: expected get-metric-statistics output/],
    ['an unknown option', [`${EXAMPLES}/oom-event.json`, '--bogus'], /Unknown option '--bogus'/],
  ])('exits 2 with one stderr line for %s', (_name, args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});

describe('runTriageCommand', () => {
  it.each(loadFixtures(SHARED_FIXTURES).map((f) => [f.file, f] as const))('triages shared fixture %s as not an OOM', async (_f, fixture) => {
    const input = file(`shared-${fixture.file}`, fixture.event ?? { task: fixture.task });
    const doc = JSON.parse(await run({ input }));
    expect(doc.verdict).toBe('not-oom');
    expect(doc.recommendation).toBeNull();
  });

  it('prints an array for describe-tasks output with several tasks, PascalCase included', async () => {
    const detail = loadJson<{ detail: Record<string, unknown> }>(example.input).detail;
    const pascal = { TaskArn: `${detail['taskArn'] as string}99`, ClusterArn: detail['clusterArn'], Group: 'family:batch', Containers: [{ Name: 'worker', ExitCode: 137 }] };
    const input = file('tasks.json', { tasks: [detail, pascal], failures: [] });
    const docs = JSON.parse(await run({ input }));
    expect(docs).toHaveLength(2);
    expect(docs[0].verdict).toBe('oom');
    expect(docs[1]).toMatchObject({ verdict: 'possible-oom', containers: [{ name: 'worker', kind: 'sigkill' }] });
  });

  it('uses Container Insights container metrics when given', async () => {
    const stop = Date.parse('2026-11-20T14:07:31Z');
    const datapoints = Array.from({ length: 200 }, (_, i) => ({
      Timestamp: new Date(stop - (200 - i) * 60_000).toISOString(),
      Maximum: 600 + i * 2,
      Average: 580 + i * 2,
      Unit: 'Megabytes',
    }));
    const ci = file('ci.json', { Label: 'ContainerMemoryUtilized', Datapoints: datapoints });
    const doc = JSON.parse(await run({ ...example, metrics: undefined, containerInsights: ci }));
    expect(doc.evidence.source).toBe('container-insights-container');
    expect(doc.suggestions.join(' ')).not.toMatch(/update-cluster-settings/);
  });

  it('says how to enable Container Insights when it was not given', async () => {
    const doc = JSON.parse(await run(example));
    expect(doc.suggestions.join(' ')).toMatch(/aws ecs update-cluster-settings --cluster prod --settings name=containerInsights,value=enhanced/);
  });

  it('recommends from the limit alone without metrics, at lower confidence', async () => {
    const doc = JSON.parse(await run({ input: example.input, taskDefinition: example.taskDefinition }));
    expect(doc.verdict).toBe('oom');
    expect(doc.pattern).toBe('unknown');
    expect(doc.confidence).toBe('low');
    expect(doc.recommendation.memory).toBeGreaterThan(1024);
    expect(doc.warnings.join(' ')).toMatch(/No memory metrics/);
  });

  it.each(['slack', 'email', 'chatbot'])('previews the exact %s payload', async (format) => {
    const payload = JSON.parse(await run({ ...example, format }));
    if (format === 'slack') expect(payload.blocks[0].type).toBe('header');
    if (format === 'email') expect(payload).toMatchObject({ MessageStructure: 'json', Subject: expect.any(String) });
    if (format === 'chatbot') expect(payload).toMatchObject({ version: '1.0', source: 'custom' });
  });

  it('uses every point in the metrics file by default, and only the last N hours with --lookback-hours', async () => {
    const stop = Date.parse('2026-11-20T14:07:31Z');
    const datapoints = Array.from({ length: 3 * 24 * 12 }, (_, i) => ({
      Timestamp: new Date(stop - (3 * 24 * 12 - i) * 300_000).toISOString(),
      Maximum: 60 + (i % 288) / 10,
      Average: 55,
      Unit: 'Percent',
    }));
    const metrics = file('three-days.json', { Label: 'MemoryUtilization', Datapoints: datapoints });
    const all = JSON.parse(await run({ ...example, metrics }));
    expect(all.evidence.points).toBe(864);
    expect(all.evidence.hours).toBeCloseTo(72, 0);
    const last6 = JSON.parse(await run({ ...example, metrics, lookbackHours: '6' }));
    expect(last6.evidence.points).toBeLessThanOrEqual(73);
    expect(last6.evidence.hours).toBeLessThanOrEqual(6.1);
  });

  it('reads files written by Windows shells: UTF-8 with a BOM, UTF-16LE/BE with a BOM (PowerShell 5 `>`)', () => {
    const json = '{"a":"é"}';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]);
    const be = Buffer.from(le.subarray(2)).swap16();
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]))).toBe(json);
    expect(decodeText(le)).toBe(json);
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe(json);
    expect(decodeText(Buffer.from(json))).toBe(json);
  });

  it('triages an event file that starts with a BOM', async () => {
    const input = file('bom.json', `\uFEFF${read(example.input)}`);
    expect(JSON.parse(await run({ ...example, input })).verdict).toBe('oom');
  });

  it('renders every alert format for a task whose timestamps are epoch nanoseconds', async () => {
    const detail = loadJson<{ detail: Record<string, unknown> }>(example.input).detail;
    const ns = (v: unknown) => Date.parse(v as string) * 1e6;
    const input = file('ns.json', { tasks: [{ ...detail, startedAt: ns(detail['startedAt']), stoppingAt: ns(detail['stoppingAt']), stoppedAt: ns(detail['stoppedAt']) }] });
    for (const format of ['text', 'json', 'slack', 'email', 'chatbot']) {
      const out = await run({ ...example, input, format });
      expect(out, format).not.toMatch(/Invalid Date|NaN/);
    }
  });

  it('says when the metrics file does not cover the kill: all points after it, or a history that ends days before', async () => {
    const kill = Date.parse(loadJson<{ detail: { stoppedAt: string } }>(example.input).detail.stoppedAt);
    const points = (from: number) =>
      Array.from({ length: 48 }, (_, i) => ({ Timestamp: new Date(from + i * 300_000).toISOString(), Maximum: 90, Average: 80, Unit: 'Percent' }));
    const after = file('after.json', { Label: 'MemoryUtilization', Datapoints: points(kill + 600_000) });
    const afterDoc = JSON.parse(await run({ ...example, metrics: after }));
    expect(afterDoc.warnings.join(' ')).toMatch(/48 points from .* none in the window before the kill .* --start-time/);
    expect(afterDoc.evidence.points).toBe(0);
    const weekOld = file('week-old.json', { Label: 'MemoryUtilization', Datapoints: points(kill - 7 * 86_400_000 - 4 * 3_600_000) });
    const oldDoc = JSON.parse(await run({ ...example, metrics: weekOld }));
    expect(oldDoc.warnings.join(' ')).toMatch(/The memory history ends 7 days before the kill/);
    expect(oldDoc.confidence).toBe('low');
    const fresh = JSON.parse(await run(example));
    expect(fresh.warnings.join(' ')).not.toMatch(/before the kill/);
  });

  it('warns from a 2 h gap between the history and the kill, and lowers the confidence past 6 h', () => {
    const kill = Date.parse('2026-11-20T14:00:00Z');
    const ending = (hoursBefore: number) => [{ source: 'aws-ecs-service' as const, unit: 'percent' as const, periodSeconds: 300, points: [{ t: kill - hoursBefore * 3_600_000, max: 90, avg: 80 }] }];
    const all = () => true;
    expect(metricsWindowWarnings(ending(1.5), kill, all)).toEqual({ warnings: [], stale: false });
    const three = metricsWindowWarnings(ending(3), kill, all);
    expect(three.stale).toBe(false);
    expect(three.warnings[0]).toMatch(/ends 3 h before the kill/);
    expect(metricsWindowWarnings(ending(7), kill, all).stale).toBe(true);
  });

  it('rejects a bad --format or --lookback-hours', async () => {
    await expect(run({ ...example, format: 'pdf' })).rejects.toThrow(TriageUsageError);
    await expect(run({ ...example, lookbackHours: 'x' })).rejects.toThrow(/--lookback-hours/);
  });
});
