import { describe, expect, it } from 'vitest';
import {
  PAYLOAD_SCHEMA,
  REDACTED,
  redactOptions,
  SNS_MESSAGE_MAX_BYTES,
  renderEmailBody,
  renderEmailSubject,
  renderSnsMessage,
  toPrintableAscii,
  type SnsProgrammaticPayload,
} from '../lambda/render-email';
import type { TriageResult } from '../lambda/model';
import { FIXTURES, hugeSnippet, oomChronic, oomChronicSeries, story5 } from './fixtures/triage-results';

/** The SNS Subject rules: printable ASCII, no line breaks/controls, < 100 chars, starts with a letter, number or punctuation. */
function assertSubject(s: string): void {
  expect(s.length).toBeGreaterThan(0);
  expect(s.length).toBeLessThanOrEqual(99);
  expect(s).toMatch(/^[\x20-\x7e]+$/);
  expect(s).toMatch(/^[A-Za-z0-9!"#%&'()*,\-./:;?@[\\\]_{}]/);
  expect(s).toBe(s.trim());
}

function withNames(service: string, container: string, cluster = 'prod'): TriageResult {
  return {
    ...oomChronic,
    task: { ...oomChronic.task, serviceName: service, clusterName: cluster },
    classification: { ...oomChronic.classification, target: container, containers: [{ ...oomChronic.classification.containers[0]!, name: container }] },
  };
}

describe('renderEmailSubject', () => {
  it('reads like the Slack header', () => {
    expect(renderEmailSubject(oomChronic)).toBe('OOM kill: api / web (prod-cluster)');
    expect(renderEmailSubject(oomChronic, story5)).toBe('5th OOM kill of api/web in 14 min');
    expect(renderEmailSubject(FIXTURES['sigkill-not-oom']!.result)).toBe('SIGKILL (not OOM): worker / worker (prod-cluster)');
  });
  it.each([
    ['unicode', 'ünïcödé-服务', 'wéb', 'OOM kill: unicode- / web (prod)'],
    ['newlines and tabs', 'api\r\nX-Injected: yes', 'web\tone', 'OOM kill: api X-Injected: yes / web one (prod)'],
    ['control characters', 'api\u0000\u0007\u001b[31m', 'web\u200b', 'OOM kill: api [31m / web (prod)'],
    ['smart quotes and dashes', '“api”—v2', '‘web’…', `OOM kill: "api"-v2 / 'web'... (prod)`],
  ])('%s', (_label, service, container, expected) => {
    const s = renderEmailSubject(withNames(service, container));
    assertSubject(s);
    expect(s).toBe(expected);
  });
  it('300-character names: cut to 99 with an ASCII ellipsis', () => {
    const s = renderEmailSubject(withNames('s'.repeat(300), 'c'.repeat(300)));
    assertSubject(s);
    expect(s).toHaveLength(99);
    expect(s.endsWith('...')).toBe(true);
  });
  it('names starting with a space or a quote, and all-non-ASCII names', () => {
    for (const [svc, ctr] of [[' api', ' web'], ['"api', "'web"], ['服务', '容器'], ['', '']]) {
      assertSubject(renderEmailSubject(withNames(svc!, ctr!, '集群')));
    }
  });
  it('every fixture yields a valid subject', () => {
    for (const f of Object.values(FIXTURES)) assertSubject(renderEmailSubject(f.result, f.story ?? null));
  });
  it('transliterates', () => {
    expect(toPrintableAscii('Ærøskøbing straße – naïve “x”')).toBe('AEroskobing strasse - naive "x"');
  });
});

describe('renderEmailBody', () => {
  for (const [name, f] of Object.entries(FIXTURES)) {
    it(`snapshot: ${name}`, () => {
      expect(renderEmailBody(f.result, { series: f.series, story: f.story ?? null, graphUrl: f.graphUrl ?? null })).toMatchSnapshot();
    });
  }
  it('has the full snippets (never truncated) and plain URLs', () => {
    const body = renderEmailBody(hugeSnippet, { series: oomChronicSeries });
    expect(body).toContain(hugeSnippet.runtime!.recommendedFlag!);
    expect(body).not.toContain('truncated');
    expect(body).toContain('Suggestion 30:');
    expect(body).toMatch(/ {2}Task: https:\/\/eu-west-1\.console\.aws\.amazon\.com\/ecs\/v2\/clusters\//);
    const chronic = renderEmailBody(oomChronic, { series: oomChronicSeries });
    expect(chronic).toContain('aws ecs update-service --region eu-west-1 --cluster prod-cluster');
    expect(chronic).toContain("taskDefinition.addContainer('web', {");
    expect(chronic).toContain('Memory (hard):              1792 -> 2560 MiB');
    expect(chronic).toContain('limit 1792 MiB ┤');
  });
});

describe('renderSnsMessage', () => {
  it('MessageStructure json with string values for documented protocol keys only', () => {
    const m = renderSnsMessage(oomChronic, { series: oomChronicSeries, story: story5 });
    expect(m.MessageStructure).toBe('json');
    expect(m.Subject).toBe('5th OOM kill of api/web in 14 min');
    const msg = JSON.parse(m.Message) as Record<string, unknown>;
    expect(Object.keys(msg).sort()).toEqual(['default', 'email', 'email-json', 'firehose', 'http', 'https', 'lambda', 'sms', 'sqs']);
    const allowed = ['default', 'http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose'];
    for (const [k, v] of Object.entries(msg)) {
      expect(allowed).toContain(k);
      expect(typeof v).toBe('string');
    }
    expect(msg.default).toBe(msg.email);
    expect(msg.default).toBe(renderEmailBody(oomChronic, { series: oomChronicSeries, story: story5 }));
    expect(msg.sqs).toBe(msg.lambda);
    expect((msg.sms as string).length).toBeLessThanOrEqual(140);
  });
  it('programmatic payload: schema, result and story; secrets redacted', () => {
    const m = renderSnsMessage(oomChronic, { series: null, story: story5 });
    const payload = JSON.parse((JSON.parse(m.Message) as Record<string, string>).sqs!) as SnsProgrammaticPayload;
    expect(payload.schema).toBe(PAYLOAD_SCHEMA);
    expect(payload.story).toEqual(story5);
    expect(payload.result.recommendation).toEqual(oomChronic.recommendation);
    const env = payload.result.taskDefinition!.containers[0]!.environment;
    expect(env).toEqual({ JAVA_TOOL_OPTIONS: '-Xmx1536m', DB_PASSWORD: REDACTED });
    expect(m.Message).not.toContain('hunter2');
    expect(payload.shrunk).toBeUndefined();
  });
  it('redacts secrets in heap-settings variables, commands, entry points and the task overrides (RunTask) too', () => {
    const td = oomChronic.taskDefinition!;
    const leaky: TriageResult = {
      ...oomChronic,
      task: {
        ...oomChronic.task,
        overrides: {
          containers: [{ name: 'web', memory: 2048, memoryReservation: null, environment: { DB_PASSWORD: 'hunter2-override', JAVA_TOOL_OPTIONS: '-Xmx1g -Dapi.token=tok-123' }, command: ['java', '-Dsecret=s3cr3t', '-Xmx1g', '-jar', '/app.jar'] }],
          cpu: null,
          memory: null,
        },
      },
      taskDefinition: {
        ...td,
        containers: td.containers.map((c, i) =>
          i === 0
            ? {
                ...c,
                environment: { ...c.environment, JAVA_OPTS: '-XX:+UseG1GC -Djavax.net.ssl.keyStorePassword=ks-pass' },
                command: ['--db-url=postgres://u:pw@h/db', '--max-old-space-size=768'],
                entryPoint: ['sh', '-c', 'TOKEN=abc node app.js'],
                logConfiguration: { logDriver: 'awsfirelens', options: { Name: 'datadog', apikey: 'dd-api-key-123', dd_service: 'web' } },
              }
            : c,
        ),
      },
    };
    const m = renderSnsMessage(leaky, { series: null });
    for (const secret of ['hunter2', 'tok-123', 's3cr3t', 'ks-pass', 'u:pw', 'TOKEN=abc', 'dd-api-key']) expect(m.Message).not.toContain(secret);
    // Attached values and numeric pins may be secrets too; bare JVM switches and Node memory flags are kept.
    expect(redactOptions('java -uadmin -pHunter2Secret -jar db.jar', true)).toBe(`java ${REDACTED} -jar ${REDACTED}`);
    expect(redactOptions('node --api-pin=48213377 --max-old-space-size=768 --enable-source-maps app.js', true)).toBe(
      `node ${REDACTED} --max-old-space-size=768 --enable-source-maps ${REDACTED}`,
    );
    expect(redactOptions('java -Xmx2g -server -jar /app.jar', true)).toBe(`java -Xmx2g -server -jar ${REDACTED}`);
    // An override command is often arguments only: its first token is kept only when it names a program.
    expect(redactOptions('ghp_16C7e42F292c6912E7710c838347Ae178B4a --verbose', true)).toBe(`${REDACTED} --verbose`);
    expect(redactOptions('/usr/local/bin/app --verbose', true)).toBe('/usr/local/bin/app --verbose');
    // -X options keep only numeric values; long flags only plain lowercase names.
    expect(redactOptions('-XX:OnOutOfMemoryError=kill -XX:+UseG1GC -XX:MaxRAMPercentage=75.0 --ghp_16C7 -XX:Flag:Hunter2Pw')).toBe(
      `${REDACTED} -XX:+UseG1GC -XX:MaxRAMPercentage=75.0 ${REDACTED}`,
    );
    const payload = JSON.parse((JSON.parse(m.Message) as Record<string, string>).sqs!) as SnsProgrammaticPayload;
    const ov = payload.result.task.overrides!.containers[0]!;
    expect(ov.environment).toEqual({ DB_PASSWORD: REDACTED, JAVA_TOOL_OPTIONS: `-Xmx1g ${REDACTED}` });
    expect(ov.command).toEqual(['java', REDACTED, '-Xmx1g', '-jar', REDACTED]);
    const c0 = payload.result.taskDefinition!.containers[0]!;
    expect(c0.environment['JAVA_OPTS']).toBe(`-XX:+UseG1GC ${REDACTED}`);
    expect(c0.command).toEqual([REDACTED, '--max-old-space-size=768']);
    expect(c0.logConfiguration?.options).toEqual({ Name: 'datadog', apikey: REDACTED, dd_service: 'web' });
  });
  it('story is null when absent', () => {
    const payload = JSON.parse((JSON.parse(renderSnsMessage(oomChronic, { series: null }).Message) as Record<string, string>).lambda!) as SnsProgrammaticPayload;
    expect(payload.story).toBeNull();
  });
  it('stays under 256 KB: shrinks the payload, then the text', () => {
    const giant: TriageResult = {
      ...hugeSnippet,
      warnings: Array.from({ length: 400 }, (_, i) => `Warning ${i}: ${'ü'.repeat(300)}`),
      taskDefinition: {
        ...hugeSnippet.taskDefinition!,
        containers: Array.from({ length: 10 }, (_, i) => ({ ...hugeSnippet.taskDefinition!.containers[0]!, name: `c${i}`, command: ['x'.repeat(20_000)] })),
      },
    };
    const m = renderSnsMessage(giant, { series: oomChronicSeries });
    expect(Buffer.byteLength(m.Message, 'utf8')).toBeLessThanOrEqual(SNS_MESSAGE_MAX_BYTES);
    const msg = JSON.parse(m.Message) as Record<string, string>;
    const payload = JSON.parse(msg.https!) as SnsProgrammaticPayload;
    expect(payload.shrunk).toBe(true);
    expect(payload.result.taskDefinition).toBeNull();
    expect(payload.result.warnings).toHaveLength(10);
    expect(msg.default).toMatch(/truncated to fit SNS 256 KB/);
    expect(msg.default!.startsWith('OOM kill:')).toBe(true);
  });
  it('typical messages are small', () => {
    for (const f of Object.values(FIXTURES).filter((x) => x.result !== hugeSnippet)) {
      const m = renderSnsMessage(f.result, { series: f.series, story: f.story ?? null });
      expect(Buffer.byteLength(m.Message, 'utf8')).toBeLessThan(64 * 1024);
    }
  });
});
