/** Small helpers shared by the benchmarks: percentiles and a plain-text table. */

export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export const median = (values: readonly number[]): number => percentile(values, 0.5);

export function printTable(title: string, rows: [string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [title, '-'.repeat(title.length), ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`)];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function wantsJson(argv: readonly string[] = process.argv.slice(2)): boolean {
  return argv.includes('--json');
}

export const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

/** A Markdown table: a header row and the rows, columns padded to the widest cell. */
export function markdownTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((l) => (l[i] ?? '').length)));
  const fmt = (l: readonly string[]): string => `| ${widths.map((w, i) => (l[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [fmt(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(fmt)].join('\n');
}
