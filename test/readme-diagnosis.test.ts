import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnosisTable } from '../scripts/diagnosis-cases';

describe('README "Diagnosis examples"', () => {
  it('is exactly what the real triage core says on those cases (npx tsx scripts/diagnosis-cases.ts)', async () => {
    const readme = readFileSync(resolve(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Diagnosis examples'), readme.indexOf('## Observe it'));
    const rows = section.split('\n').filter((l) => l.startsWith('|'));
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.join('\n')).toBe((await diagnosisTable()).trimEnd());
  });
});
