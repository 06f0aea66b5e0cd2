import { describe, expect, it } from 'vitest';
import {
  SLACK_LIMITS,
  TRUNCATION_NOTE,
  codeSection,
  escapeMrkdwn,
  renderSlack,
  type Block,
  type SlackMessage,
} from '../lambda/render-slack';
import { FIXTURES, ec2GovCloud, hugeSnippet, leak, longNames, noMetrics, oomChronic, oomChronicSeries, sidecarOom, sigkillNotOom, story5 } from './fixtures/triage-results';

function render(name: string): SlackMessage {
  const f = FIXTURES[name]!;
  return renderSlack(f.result, { series: f.series, story: f.story ?? null, graphUrl: f.graphUrl ?? null });
}

function allText(m: SlackMessage): string {
  return JSON.stringify(m.blocks);
}

function sectionTexts(m: SlackMessage): string[] {
  return m.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

function assertLimits(m: SlackMessage): void {
  expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  expect(m.text.length).toBeGreaterThan(0);
  expect(m.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText + 100);
  for (const b of m.blocks as Block[]) {
    if (b.type === 'header') {
      expect(b.text.type).toBe('plain_text');
      expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
      expect(b.text.text).not.toMatch(/\n/);
    }
    if (b.type === 'section') {
      expect(b.text !== undefined || b.fields !== undefined).toBe(true);
      if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      if (b.fields) {
        expect(b.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
        for (const f of b.fields) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
      }
    }
    if (b.type === 'context') {
      expect(b.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
      for (const e of b.elements) expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
    if (b.type === 'image') {
      expect(b.alt_text.length).toBeGreaterThan(0);
      expect(b.image_url).toMatch(/^https:\/\//);
    }
  }
  // Reasonable overall size (Slack's payload limit is far above this).
  expect(JSON.stringify(m).length).toBeLessThan(40_000);
}

describe('renderSlack snapshots', () => {
  for (const name of Object.keys(FIXTURES)) {
    it(`${name}`, () => {
      const m = render(name);
      assertLimits(m);
      expect(m).toMatchSnapshot();
    });
  }
});

describe('header', () => {
  it('names service / container (cluster)', () => {
    const m = renderSlack(oomChronic, { series: oomChronicSeries });
    expect(m.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'OOM kill: api / web (prod-cluster)', emoji: false } });
  });
  it('tells the story for repeated kills', () => {
    expect(render('oom-chronic').blocks[0]).toMatchObject({ text: { text: '5th OOM kill of api/web in 14 min' } });
    const m = renderSlack(oomChronic, { series: null, story: { ...story5, count: 22, firstSeenAt: story5.firstSeenAt - 3 * 3_600_000 } });
    expect(m.blocks[0]).toMatchObject({ text: { text: '22nd OOM kill of api/web in 3 h 14 min' } });
  });
  it('sidecar and SIGKILL headers', () => {
    expect(render('sidecar-oom').blocks[0]).toMatchObject({ text: { text: 'Sidecar OOM kill: checkout / datadog-agent (prod-cluster)' } });
    expect(render('sigkill-not-oom').blocks[0]).toMatchObject({ text: { text: 'SIGKILL (not OOM): worker / worker (prod-cluster)' } });
  });
  it('truncates long names to 150 characters with an ellipsis, on one line', () => {
    const h = render('long-names').blocks[0]!;
    expect(h.type).toBe('header');
    if (h.type !== 'header') return;
    expect(h.text.text.length).toBeLessThanOrEqual(150);
    expect(h.text.text.endsWith('…')).toBe(true);
    expect(h.text.text.startsWith('2nd OOM kill of  "quoted" <svc> & ünïcödé 服务'.replace('  ', ' '))).toBe(true);
  });
});

describe('content', () => {
  it('fields: container role, launch type, family:revision, limits side by side, pattern, evidence', () => {
    const fields = render('oom-chronic').blocks.find((b) => b.type === 'section' && b.fields)!;
    const texts = (fields as { fields: { text: string }[] }).fields.map((f) => f.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        '*Container*\nweb (essential)',
        '*Launch type*\nFARGATE',
        '*Task definition*\napi:42',
        '*Pattern*\nchronic (high confidence)',
        '*Memory (hard)*\n1792 → 2560 MiB',
        '*Memory reservation (soft)*\n1024 → 1664 MiB',
        '*Task memory*\n2048 → 3072 MiB',
        '*Task CPU*\n1024 (unchanged)',
      ]),
    );
    expect(texts.find((t) => t.startsWith('*Evidence*'))).toBe('*Evidence*\nAWS/ECS MemoryUtilization (service)\n288 points over 24 h, peak 1789 MiB (censored at the limit), avg 1412 MiB, slope +1.8 MiB/h');
  });
  it('launch type: the capacity provider only when it says more than the launch type', () => {
    const launch = (capacityProviderName: string | null): string | undefined => {
      const f = FIXTURES['oom-chronic']!;
      const result = { ...f.result, task: { ...f.result.task, launchType: 'FARGATE' as const, capacityProviderName } };
      const m = renderSlack(result, { series: f.series, story: null, graphUrl: null });
      const fields = m.blocks.find((b) => b.type === 'section' && b.fields) as { fields: { text: string }[] };
      return fields.fields.map((f) => f.text).find((t) => t.startsWith('*Launch type*'));
    };
    expect(launch('FARGATE')).toBe('*Launch type*\nFARGATE');
    expect(launch('FARGATE_SPOT')).toBe('*Launch type*\nFARGATE (FARGATE_SPOT)');
    expect(launch(null)).toBe('*Launch type*\nFARGATE');
  });
  it('sidecar is named as such', () => {
    expect(allText(render('sidecar-oom'))).toContain('datadog-agent (sidecar, non-essential)');
    expect(allText(render('sidecar-oom'))).toContain('The task keeps running without it.');
  });
  it('always has the sparkline; the image only with a graph URL', () => {
    const withGraph = render('oom-chronic');
    expect(withGraph.blocks.some((b) => b.type === 'image')).toBe(true);
    expect(sectionTexts(withGraph).some((t) => t.startsWith('*Memory, last 24 h*\n```\n') && t.includes('limit 1792 MiB ┤'))).toBe(true);
    const noGraph = render('leak');
    expect(noGraph.blocks.some((b) => b.type === 'image')).toBe(false);
    expect(sectionTexts(render('no-metrics'))).toContain('*Memory, last 24 h*\nNo memory data for this task in the lookback (no metrics found).');
  });
  it('leak warning with the next-kill estimate and profiling hint', () => {
    expect(sectionTexts(render('leak')).find((t) => t.includes('*Leak.*'))).toBe(
      ':warning: *Leak.* Memory grows steadily (+24.5 MiB/h): a leak. A bigger limit only delays the next kill, expected in about 21 h 18 min at this rate. Fix the leak (profile with --heapsnapshot-near-heap-limit=2).',
    );
  });
  it('SIGKILL: cause, no fix blocks', () => {
    const m = render('sigkill-not-oom');
    expect(allText(m)).toContain('Handle SIGTERM (exit cleanly) or raise stopTimeout');
    expect(allText(m)).not.toContain('Fix: AWS CLI');
    expect(m.text).toContain('More memory will not help');
  });
  it('fix blocks: JSON, CLI and CDK in code blocks', () => {
    const texts = sectionTexts(render('oom-chronic'));
    expect(texts.find((t) => t.startsWith('*Fix: task definition fragment*\n```\n{'))).toBeDefined();
    expect(texts.find((t) => t.startsWith('*Fix: AWS CLI*\n```\n# 1.'))).toContain('update-service');
    expect(texts.find((t) => t.startsWith('*Fix: CDK*\n```\n'))).toContain('FargateTaskDefinition');
  });
  it('stale revision and suggestions', () => {
    expect(allText(render('ec2-govcloud'))).toContain('this task ran revision 18, but the service now runs revision 19'.replace('this', 'This'));
    expect(allText(render('no-metrics'))).toContain('Enable Container Insights on cluster prod-cluster');
  });
  it('links are mrkdwn <url|text>, never [text](url) and never buttons', () => {
    const m = render('oom-chronic');
    const links = sectionTexts(m).find((t) => t.includes('|Task>'))!;
    expect(links).toMatch(/^<https:\/\/eu-west-1\.console\.aws\.amazon\.com\/ecs\/v2\/clusters\/prod-cluster\/tasks\/[0-9a-f]+\?region=eu-west-1\|Task>/);
    expect(links).toContain('|Service>');
    expect(links).toContain('|Logs>');
    expect(links).toContain('|Memory metric>');
    expect(allText(m)).not.toMatch(/\]\(https?:/);
    expect(m.blocks.some((b) => (b.type as string) === 'actions')).toBe(false);
  });
  it('context: account, region, time, event id and version', () => {
    const ctx = render('oom-chronic').blocks.at(-1)!;
    expect(ctx).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'account 123456789012 · region eu-west-1 · 2026-11-23T14:32:05.000Z · event 4f1c2d3e-5a6b-7c8d-9e0f-112233445566 · v5' }],
    });
  });
  it('fallback text is one line naming the kill and the new limit', () => {
    expect(render('oom-chronic').text).toBe('5th OOM kill of api/web in 14 min. Recommended memory 1792 → 2560 MiB.');
  });
});

describe('escaping and limits under odd names and huge snippets', () => {
  it('escapes &, <, > in user-controlled text everywhere but the header', () => {
    const m = render('long-names');
    const mrkdwnTexts = m.blocks.flatMap((b) =>
      b.type === 'section' ? [...(b.text ? [b.text.text] : []), ...(b.fields ?? []).map((f) => f.text)] : b.type === 'context' ? b.elements.map((e) => e.text) : [],
    );
    for (const t of mrkdwnTexts) {
      const withoutLinks = t.replace(/<https:\/\/[^|>\s]+\|[^>]*>/g, '');
      expect(withoutLinks).not.toMatch(/<|>/);
      expect(withoutLinks).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
    expect(m.text).not.toMatch(/<svc>/);
    expect(escapeMrkdwn('<a & b>')).toBe('&lt;a &amp; b&gt;');
  });
  it('huge snippets stay within every Block Kit limit and say where the rest is', () => {
    const m = render('huge-snippet');
    assertLimits(m);
    const texts = sectionTexts(m);
    expect(texts.some((t) => t.endsWith(TRUNCATION_NOTE))).toBe(true);
    expect(texts.some((t) => /… and \d+ more/.test(t))).toBe(true);
  });
  it('code truncation cuts at a line boundary and keeps the code block closed', () => {
    const code = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(20)}`).join('\n');
    const s = codeSection('T', code);
    const text = s.text!.text;
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text.endsWith(`\n\`\`\`\n${TRUNCATION_NOTE}`)).toBe(true);
    const body = text.slice('*T*\n```\n'.length, text.lastIndexOf('\n```\n'));
    for (const line of body.split('\n')) expect(line).toMatch(/^line \d+ x{20}$/);
  });
  it('a single line longer than the section is hard-cut without breaking an entity', () => {
    const s = codeSection('T', '<'.repeat(5000));
    expect(s.text!.text.length).toBeLessThanOrEqual(3000);
    expect(s.text!.text).not.toMatch(/&l?t?\n/);
  });
  it('graph URLs too long for Slack are dropped, not sent', () => {
    const m = renderSlack(oomChronic, { series: null, graphUrl: `https://x/${'a'.repeat(3100)}` });
    expect(m.blocks.some((b) => b.type === 'image')).toBe(false);
  });
  it('every fixture under hostile names still fits', () => {
    for (const r of [oomChronic, sidecarOom, leak, sigkillNotOom, noMetrics, ec2GovCloud, longNames, hugeSnippet]) {
      assertLimits(renderSlack(r, { series: oomChronicSeries, story: { ...story5, count: 1001 }, graphUrl: 'https://e.com/i.png' }));
    }
  });
});
