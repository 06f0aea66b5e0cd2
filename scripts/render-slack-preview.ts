/**
 * Renders a fixture TriageResult with the real render-slack code into a small HTML approximation of Slack's
 * Block Kit look, then screenshots it with headless Chromium.
 *
 *   npx tsx scripts/render-slack-preview.ts [fixture-name] [--no-screenshot]
 *
 * Writes docs/slack-alert.html and docs/slack-alert.png. The graph image stands in for CloudWatch
 * GetMetricWidgetImage (no AWS here): it is drawn locally from the fixture's series as an SVG.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { renderSlack, type Block, type SlackMessage } from '../lambda/render-slack';
import type { MemorySeries } from '../lambda/model';
import { FIXTURES } from '../test/fixtures/triage-results';

const GRAPH_PLACEHOLDER = 'https://preview.invalid/graph.png';

const EMOJI: Record<string, string> = { repeat: '🔁', warning: '⚠️', information_source: 'ℹ️', hourglass: '⌛' };

/** Minimal Slack mrkdwn -> HTML. The input is already Slack-escaped (&amp; &lt; &gt;), which is valid HTML. */
function mrkdwnToHtml(text: string): string {
  const parts = text.split(/```/);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return `<pre>${part.replace(/^\n/, '').replace(/\n$/, '')}</pre>`;
      return part
        .replace(/<(https?:[^|>]+)\|([^>]+)>/g, (_m, url: string, label: string) => `<a href="${url.replace(/"/g, '&quot;')}">${label}</a>`)
        .replace(/`([^`\n]+)`/g, '<code>$1</code>')
        .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s.,:;)!?])/gm, '$1<b>$2</b>')
        .replace(/:([a-z_]+):/g, (m, name: string) => EMOJI[name] ?? m)
        .replace(/^\n+|\n+$/g, '')
        .replace(/\n/g, '<br>');
    })
    .join('');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A small line chart of Maximum/Average with the limit line, like the CloudWatch widget. */
function graphSvg(series: MemorySeries, limit: number | null, title: string): string {
  const w = 600;
  const h = 300;
  const pad = { l: 52, r: 16, t: 34, b: 42 };
  const pts = series.points;
  const t0 = pts[0]!.t;
  const t1 = pts[pts.length - 1]!.t;
  const top = Math.max(limit ?? 0, ...pts.map((p) => p.maxMiB ?? 0)) * 1.1;
  const x = (t: number) => pad.l + ((t - t0) / (t1 - t0 || 1)) * (w - pad.l - pad.r);
  const y = (v: number) => h - pad.b - (v / top) * (h - pad.t - pad.b);
  const line = (key: 'maxMiB' | 'avgMiB') =>
    pts
      .filter((p) => p[key] !== null)
      .map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p[key]!).toFixed(1)}`)
      .join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round((top / 1.1) * f));
  const grid = ticks
    .map((v) => `<line x1="${pad.l}" x2="${w - pad.r}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="${pad.l - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`)
    .join('');
  const hours = [0, 6, 12, 18, 24].map((hh) => {
    const t = t0 + (hh / 24) * (t1 - t0);
    const d = new Date(t);
    return `<text x="${x(t)}" y="${h - pad.b + 16}" text-anchor="middle">${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}</text>`;
  });
  const limitLine =
    limit !== null
      ? `<line x1="${pad.l}" x2="${w - pad.r}" y1="${y(limit)}" y2="${y(limit)}" stroke="#ff7f0e" stroke-width="1.5" stroke-dasharray="5 3"/><text x="${w - pad.r}" y="${y(limit) - 5}" text-anchor="end" fill="#ff7f0e">limit ${limit} MiB</text>`
      : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="Helvetica, Arial, sans-serif" font-size="11" fill="#555">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${pad.l}" y="20" font-size="13" fill="#222">${escapeHtml(title)}</text>
${grid}${hours.join('')}
<path d="${line('avgMiB')}" fill="none" stroke="#1f77b4" stroke-width="1.2"/>
<path d="${line('maxMiB')}" fill="none" stroke="#d62728" stroke-width="1.2"/>
${limitLine}
<rect x="${pad.l}" y="${h - 16}" width="10" height="3" fill="#d62728"/><text x="${pad.l + 14}" y="${h - 12}">Maximum</text>
<rect x="${pad.l + 80}" y="${h - 16}" width="10" height="3" fill="#1f77b4"/><text x="${pad.l + 94}" y="${h - 12}">Average</text>
</svg>`;
}

function blockHtml(b: Block, graph: string | null): string {
  switch (b.type) {
    case 'header':
      return `<div class="header">${escapeHtml(b.text.text)}</div>`;
    case 'section': {
      const text = b.text ? `<div class="text">${mrkdwnToHtml(b.text.text)}</div>` : '';
      const fields = b.fields ? `<div class="fields">${b.fields.map((f) => `<div>${mrkdwnToHtml(f.text)}</div>`).join('')}</div>` : '';
      return `<div class="section">${text}${fields}</div>`;
    }
    case 'image': {
      const src = b.image_url === GRAPH_PLACEHOLDER && graph ? `data:image/svg+xml;base64,${Buffer.from(graph).toString('base64')}` : b.image_url;
      return `<div class="image"><img src="${src}" alt="${escapeHtml(b.alt_text)}"></div>`;
    }
    case 'context':
      return `<div class="context">${b.elements.map((e) => mrkdwnToHtml(e.text)).join(' ')}</div>`;
    case 'divider':
      return '<hr>';
  }
}

export function previewHtml(message: SlackMessage, graph: string | null): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>oom-responder Slack alert preview</title>
<style>
  body { margin: 0; background: #fff; font: 15px/1.46668 "Slack-Lato", "Lato", "Helvetica Neue", Helvetica, Arial, sans-serif; color: #1d1c1d; }
  .channel { border-bottom: 1px solid #ddd; padding: 10px 20px; font-weight: 900; font-size: 18px; }
  .msg { display: flex; padding: 12px 20px; gap: 10px; }
  .avatar { width: 36px; height: 36px; border-radius: 4px; background: #e01e5a; color: #fff; font-weight: 900; display: flex; align-items: center; justify-content: center; flex: none; font-size: 13px; }
  .body { flex: 1; min-width: 0; max-width: 780px; }
  .who { font-weight: 900; } .app { background: #e8e8e8; color: #616061; font-size: 10px; font-weight: 700; padding: 1px 3px; border-radius: 2px; margin: 0 4px; }
  .when { color: #616061; font-size: 12px; }
  .header { font-size: 18px; font-weight: 900; margin: 6px 0 4px; }
  .section { margin: 6px 0; }
  .fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin-top: 4px; }
  .fields > div { overflow-wrap: anywhere; }
  pre { font: 12px/1.5 Monaco, Menlo, Consolas, "DejaVu Sans Mono", monospace; background: #f8f8f8; border: 1px solid #e0e0e0; border-radius: 4px; padding: 8px; margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
  code { font: 12px Monaco, Menlo, Consolas, "DejaVu Sans Mono", monospace; color: #e01e5a; background: #f6f6f6; border: 1px solid #e0e0e0; border-radius: 3px; padding: 0 2px; }
  a { color: #1264a3; text-decoration: none; }
  hr { border: 0; border-top: 1px solid #e0e0e0; margin: 10px 0; }
  .image img { max-width: 600px; border: 1px solid #e0e0e0; border-radius: 6px; margin: 4px 0; }
  .context { color: #616061; font-size: 12px; margin-top: 8px; }
</style></head>
<body>
<div class="channel"># ops-alerts</div>
<div class="msg"><div class="avatar">OOM</div><div class="body">
<div><span class="who">oom-responder</span><span class="app">APP</span><span class="when">14:32</span></div>
${message.blocks.map((b) => blockHtml(b, graph)).join('\n')}
</div></div>
</body></html>
`;
}

function main(): void {
  const args = process.argv.slice(2);
  const name = args.find((a) => !a.startsWith('--')) ?? 'oom-chronic';
  const fixture = FIXTURES[name];
  if (!fixture) throw new Error(`unknown fixture ${name}; one of ${Object.keys(FIXTURES).join(', ')}`);
  const message = renderSlack(fixture.result, {
    series: fixture.series,
    story: fixture.story ?? null,
    graphUrl: fixture.series ? GRAPH_PLACEHOLDER : null,
  });
  const graph = fixture.series
    ? graphSvg(fixture.series, fixture.series.ceilingMiB, `Memory: ${fixture.result.task.serviceName ?? fixture.result.task.family} (${fixture.result.task.clusterName}), last 24 h`)
    : null;
  const docs = resolve(__dirname, '..', 'docs');
  const html = join(docs, 'slack-alert.html');
  writeFileSync(html, previewHtml(message, graph));
  process.stdout.write(`wrote ${html}\n`);
  if (args.includes('--no-screenshot')) return;
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
  if (!chromium) {
    process.stderr.write('chromium not found: apt-get update && apt-get install -y chromium\n');
    process.exitCode = 1;
    return;
  }
  const png = join(docs, 'slack-alert.png');
  execFileSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${mkdtempSync(join(tmpdir(), 'chromium-'))}`,
      `--screenshot=${png}`,
      `--window-size=${process.env.PREVIEW_WINDOW ?? '900,2230'}`,
      `file://${html}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  process.stdout.write(`wrote ${png}\n`);
}

main();
