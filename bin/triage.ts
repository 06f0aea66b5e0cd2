#!/usr/bin/env -S npx tsx
/**
 * `npm run triage -- <file> [options]`: triage a stopped ECS task offline, with the Lambda's own core.
 * Exit 0 when the input was triaged (whatever the verdict); 2 for unreadable or invalid input, with one line on
 * stderr naming the file and what is wrong.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeText, runTriageCommand, TriageUsageError } from '../cli/triage-command';

const USAGE = `usage: npm run triage -- <event-or-tasks.json> [--task-definition <file>] [--metrics <file>]
       [--container-insights <file>] [--json] [--format text|json|slack|email|chatbot] [--lookback-hours N]

  <file>                    an EventBridge "ECS Task State Change" event, \`aws ecs describe-tasks\` output (every
                            task in it), \`aws ecs stop-task\` output, or one task object (camelCase or PascalCase)
  --task-definition <file>  \`aws ecs describe-task-definition\` output
  --metrics <file>          \`aws cloudwatch get-metric-statistics\` output for AWS/ECS MemoryUtilization
                            (--statistics Maximum Average)
  --container-insights <file>  the same format for ECS/ContainerInsights ContainerMemoryUtilized or MemoryUtilized
  --json                    one JSON document (an array for several tasks); same as --format json
  --format slack|email|chatbot  print the exact payload the Lambda would send on that channel`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'task-definition': { type: 'string' },
        metrics: { type: 'string' },
        'container-insights': { type: 'string' },
        json: { type: 'boolean', default: false },
        format: { type: 'string' },
        'lookback-hours': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`triage: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const output = await runTriageCommand(
      {
        input: parsed.positionals[0],
        extra: parsed.positionals.slice(1),
        taskDefinition: parsed.values['task-definition'],
        metrics: parsed.values.metrics,
        containerInsights: parsed.values['container-insights'],
        format: parsed.values.format ?? (parsed.values.json ? 'json' : 'text'),
        lookbackHours: parsed.values['lookback-hours'],
      },
      (path) => decodeText(readFileSync(path)),
    );
    process.stdout.write(`${output}\n`);
    return 0;
  } catch (error) {
    if (error instanceof TriageUsageError) {
      process.stderr.write(`triage: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`triage: internal error: ${(error as Error).message}\n`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
