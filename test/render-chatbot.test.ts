import { describe, expect, it } from 'vitest';
import { renderChatbot, renderChatbotMessage, type ChatbotNotification } from '../lambda/render-chatbot';
import { FIXTURES, hugeSnippet, longNames, noMetrics, oomChronic, oomChronicSeries, sigkillNotOom, story5 } from './fixtures/triage-results';

/** The documented schema, exactly: any extra or missing key, or a non-string where a string belongs, fails. */
function assertShape(n: ChatbotNotification): void {
  const top = Object.keys(n).sort();
  expect(top).toEqual(n.id === undefined ? ['content', 'metadata', 'source', 'version'] : ['content', 'id', 'metadata', 'source', 'version']);
  expect(n.version).toBe('1.0');
  expect(n.source).toBe('custom');
  if (n.id !== undefined) expect(typeof n.id).toBe('string');
  expect(Object.keys(n.content).sort()).toEqual(['description', 'keywords', 'nextSteps', 'textType', 'title']);
  expect(n.content.textType).toBe('client-markdown');
  expect(typeof n.content.title).toBe('string');
  expect(n.content.description.length).toBeGreaterThan(0);
  for (const s of [...n.content.nextSteps, ...n.content.keywords]) expect(typeof s).toBe('string');
  expect(Object.keys(n.metadata).sort()).toEqual(['additionalContext', 'eventType', 'relatedResources', 'summary', 'threadId']);
  for (const k of ['threadId', 'summary', 'eventType'] as const) expect(typeof n.metadata[k]).toBe('string');
  for (const r of n.metadata.relatedResources) expect(typeof r).toBe('string');
  for (const v of Object.values(n.metadata.additionalContext)) expect(typeof v).toBe('string');
  // Round-trips through JSON unchanged (no undefined, no functions, no Dates).
  expect(JSON.parse(JSON.stringify(n))).toEqual(n);
}

describe('renderChatbot', () => {
  for (const [name, f] of Object.entries(FIXTURES)) {
    it(`exact shape + snapshot: ${name}`, () => {
      const n = renderChatbot(f.result, { series: f.series, story: f.story ?? null });
      assertShape(n);
      expect(n).toMatchSnapshot();
    });
  }

  it('the chronic OOM, field by field', () => {
    const n = renderChatbot(oomChronic, { series: oomChronicSeries, story: story5 });
    expect(n.id).toBe(oomChronic.task.eventId);
    expect(n.content.title).toBe('5th OOM kill of api/web in 14 min');
    expect(n.content.keywords).toEqual(['OOM', 'chronic', 'FARGATE', 'eu-west-1']);
    expect(n.content.nextSteps[0]).toBe(
      'Register a new task-definition revision for `web`: Memory (hard) 1792 → 2560 MiB, Memory reservation (soft) 1024 → 1664 MiB, Task memory 2048 → 3072 MiB; then update the service.',
    );
    expect(n.content.description).toContain('[Logs](https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fecs$252Fprod$252Fapi/');
    expect(n.content.description).toContain('```\n');
    expect(n.metadata).toMatchObject({
      threadId: 'prod-cluster/api/web',
      summary: '5th OOM kill of api/web in 14 min',
      eventType: 'EcsContainerOomKill',
      relatedResources: [oomChronic.task.taskArn, oomChronic.task.taskDefinitionArn, oomChronic.task.clusterArn],
    });
    expect(n.metadata.additionalContext).toMatchObject({ cluster: 'prod-cluster', service: 'api', container: 'web', recommendedMemoryMiB: '2560', recommendedTaskMemoryMiB: '3072' });
  });

  it('threadId is per story (cluster/service/container), never the event id', () => {
    const a = renderChatbot(oomChronic, { series: null });
    const b = renderChatbot({ ...oomChronic, task: { ...oomChronic.task, eventId: 'another-event', taskId: 'another-task' } }, { series: null });
    expect(a.metadata.threadId).toBe('prod-cluster/api/web');
    expect(b.metadata.threadId).toBe(a.metadata.threadId);
    expect(a.metadata.threadId).not.toBe(oomChronic.task.eventId);
    expect(renderChatbot(oomChronic, { series: null, story: { ...story5, threadId: 'ledger-thread-1' } }).metadata.threadId).toBe('ledger-thread-1');
    expect(renderChatbot(noMetrics, { series: null }).metadata.threadId).toBe('prod-cluster/family:nightly-report/report');
  });

  it('SIGKILL: its own event type and the SIGTERM advice first', () => {
    const n = renderChatbot(sigkillNotOom, { series: null });
    expect(n.metadata.eventType).toBe('EcsContainerSigkill');
    expect(n.content.keywords[0]).toBe('SIGKILL');
    expect(n.content.nextSteps[0]).toMatch(/^Handle SIGTERM/);
    expect(n.metadata.additionalContext.recommendedMemoryMiB).toBeUndefined();
  });

  it('no event id: no id key at all', () => {
    const n = renderChatbot(noMetrics, { series: null });
    expect('id' in n).toBe(false);
    assertShape(n);
  });

  it('odd names and huge content stay single-line where they must and capped', () => {
    for (const r of [longNames, hugeSnippet]) {
      const n = renderChatbot(r, { series: oomChronicSeries });
      assertShape(n);
      expect(n.content.title).not.toMatch(/\n/);
      expect(n.metadata.summary).not.toMatch(/\n/);
      expect(n.content.title.length).toBeLessThanOrEqual(250);
      expect(n.content.description.length).toBeLessThanOrEqual(3500);
      expect(n.content.nextSteps.length).toBeLessThanOrEqual(8);
      for (const s of n.content.nextSteps) expect(s.length).toBeLessThanOrEqual(500);
    }
  });

  it('renderChatbotMessage is the JSON string to publish raw', () => {
    expect(JSON.parse(renderChatbotMessage(oomChronic, { series: null }))).toEqual(renderChatbot(oomChronic, { series: null }));
  });
});
