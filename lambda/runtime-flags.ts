/**
 * Recognise the container's runtime from its image, command and environment, and fit its heap flag under the
 * (new) container memory limit. Pure.
 *
 * Rules (ECS-FACTS.md, seed guide): JVM `-XX:MaxRAMPercentage=75` (never 100 %: metaspace, thread stacks, code
 * cache and native memory live outside the heap); Node `--max-old-space-size` at about 75 % of the limit; Python
 * has no limit flag (find leaks with tracemalloc); Go `GOMEMLIMIT` at 90 % of the limit (the Go GC guide: leave 5-10 %
 * for memory the Go runtime does not manage; the runtime does not read the container's limit itself).
 */
import type { ContainerDefinition, Runtime, RuntimeAdvice } from './model';

/** The share of the container limit a heap may take before native memory has no room. */
export const HEAP_SHARE = 0.75;
/** Above this share of the limit, a heap setting is flagged as leaving no room. */
const HEAP_SHARE_MAX = 0.8;

const JAVA_ENV = ['JAVA_TOOL_OPTIONS', 'JAVA_OPTS', 'JDK_JAVA_OPTIONS', '_JAVA_OPTIONS', 'CATALINA_OPTS', 'JVM_OPTS'];
const JVM_IMAGE =
  /(^|[/_-])(openjdk|temurin|eclipse-temurin|amazoncorretto|corretto|zulu|liberica|semeru|graalvm|jdk|jre|java|maven|gradle|tomcat|jetty|wildfly|spring|jenkins)([:/@_-]|$)/i;
const NODE_IMAGE = /(^|[/_-])(node|nodejs|pm2)([:/@_-]|$)/i;
/**
 * Go images, by the repository's own name (the last path word, without tag or digest) or by organisation: the
 * toolchain image, and the Go programs most often run as ECS services and sidecars (collectors, agents, proxies).
 */
const COLLECTOR = /^(otelcol(-contrib)?|(aws-otel|opentelemetry)-collector(-contrib|-k8s)?)$/;
const GO_REPO = /^(golang|cloudwatch-agent|aws-xray-daemon|traefik|caddy|consul|coredns|etcd|minio|prometheus|node-exporter|thanos|loki|promtail|alloy|telegraf|cloudflared)$/;
const GO_ORGS = /^(prom|prometheus)\//;
/** Variables only the Go runtime reads. */
const GO_ENV = ['GOMEMLIMIT', 'GOGC', 'GOMAXPROCS'];
const PYTHON_IMAGE = /(^|[/_-])(python|pypy|django|flask|fastapi|uvicorn|gunicorn|jupyter)([:/@_-]|$)|python\d/i;
/**
 * Servers whose start script takes the heap from a variable of its own and ignores or overrides JAVA_TOOL_OPTIONS,
 * by the variable or the image's repository name, with the heap their script sets when the variable is unset or blank,
 * and whether that default is in jvm.options, where it holds unless the variable sets an -Xmx (Kafka's script sets it
 * only when the variable is empty). Elasticsearch from 7.11 sizes the heap itself, at half the memory or less, unless
 * the variable sets -Xms or -Xmx ("Starting from version 7.11, Elasticsearch automatically sizes JVM heap",
 * https://elastic.co/guide/en/cloud-on-k8s/1.8/k8s-jvm-heap-size.html; its MachineDependentHeap then adds -Xms/-Xmx,
 * over a MaxRAMPercentage); 6.0 to 7.10 have -Xms1g -Xmx1g in jvm.options. Their vendors keep the heap at half the
 * memory at most:
 * - Elasticsearch: "Set Xmx and Xms to no more than 50% of your total system memory. Elasticsearch requires memory for
 *   purposes other than the JVM heap [...] off-heap buffers [...] the operating system's filesystem cache"
 *   (https://www.elastic.co/guide/en/elasticsearch/reference/7.11/advanced-configuration.html).
 * - OpenSearch: "OPENSEARCH_JAVA_OPTS=-Xms512m -Xmx512m Sets the size of the Java heap (we recommend half of system
 *   RAM)" (https://docs.opensearch.org/1.0/opensearch/install/important-settings); jvm.options defaults to -Xmx1g.
 * - Kafka: Strimzi (Red Hat Streams for Apache Kafka) gives a broker 50 % of the container's memory as heap, at most
 *   5 GB, the rest for the page cache (https://docs.redhat.com/ja/documentation/red_hat_streams_for_apache_kafka/2.5/html/amq_streams_api_reference/con-common-configuration-jvm-reference);
 *   kafka-server-start.sh sets -Xmx1G -Xms1G when KAFKA_HEAP_OPTS is unset (Confluent's and Bitnami's images too).
 */
const SERVER_HEAP: [variable: string, repo: RegExp, unset: string, jvmOptions: boolean][] = [
  ['ES_JAVA_OPTS', /^elasticsearch$/, '-Xmx1g', true],
  ['OPENSEARCH_JAVA_OPTS', /^opensearch$/, '-Xmx1g', true],
  ['KAFKA_HEAP_OPTS', /^(cp-)?kafka$|^cp-server$/, '-Xmx1G', false],
];
/** The heap's share of the limit for those servers. */
const SERVER_HEAP_SHARE = 0.5;
/** By the image, or by the variable when the command does not run `java` itself (only the server's script reads it). */
const serverOf = (input: RuntimeInput) =>
  SERVER_HEAP.find(
    ([v, repo]) => (input.environment[v] !== undefined && !launcherOptions(input, 'java').direct) || (input.image !== null && repo.test(repoName(imageName(input.image)))),
  );

export interface RuntimeInput {
  image: string | null;
  environment: Record<string, string>;
  command: string[];
  entryPoint: string[];
}

export function runtimeInputOf(def: ContainerDefinition | null, eventImage: string | null): RuntimeInput {
  return {
    image: def?.image ?? eventImage,
    environment: def?.environment ?? {},
    command: def?.command ?? [],
    entryPoint: def?.entryPoint ?? [],
  };
}

/** Cloud Native Buildpacks (Paketo, Spring Boot's bootBuildImage) configure the JVM at launch through BPL_JVM_*, BPL_JAVA_*, BPL_JMX_*, BPL_JFR_*. */
const buildpackVars = (input: RuntimeInput): string[] => Object.keys(input.environment).filter((k) => /^BPL_J/.test(k));

export function detectRuntime(input: RuntimeInput): { runtime: Runtime; detectedFrom: string } | null {
  const cmd = [...input.entryPoint, ...input.command].join(' ');
  const server = serverOf(input);
  if (server) return { runtime: 'jvm', detectedFrom: input.environment[server[0]] === undefined ? 'image' : server[0] };
  for (const name of [...JAVA_ENV, ...buildpackVars(input)]) {
    if (input.environment[name] !== undefined) return { runtime: 'jvm', detectedFrom: name };
  }
  if (/(^|\s|\/)java(\s|$)|-Xmx\d|-XX:|\.jar\b/.test(cmd)) return { runtime: 'jvm', detectedFrom: 'command' };
  // pm2 with an --interpreter other than node runs something else (python3, bash, none for a binary).
  const interpreter = /(^|\s|\/)pm2(-runtime|-docker)?\s.*--interpreter[=\s]+(\S+)/.exec(cmd)?.[3];
  const node = interpreter === undefined || /(^|\/)(node|nodejs)$/.test(interpreter);
  if (node && input.environment['NODE_OPTIONS'] !== undefined) return { runtime: 'node', detectedFrom: 'NODE_OPTIONS' };
  if (node && /(^|\s|\/)(node|nodejs|pm2|pm2-runtime|pm2-docker)(\s|$)|--max[-_]old[-_]space[-_]size|(^|\s)(npm|yarn|pnpm)\s/.test(cmd)) {
    return { runtime: 'node', detectedFrom: 'command' };
  }
  if (/(^|\s|\/)(python[\d.]*|gunicorn|uvicorn|celery)(\s|$)/.test(cmd)) return { runtime: 'python', detectedFrom: 'command' };
  if (input.environment['PYTHONPATH'] !== undefined || input.environment['PYTHONUNBUFFERED'] !== undefined) {
    return { runtime: 'python', detectedFrom: 'environment' };
  }
  // A Go variable marks a Go program only when the image is not a JVM, Node or Python one (GOMAXPROCS is also set for
  // other runtimes' sake); a known Go image comes first (prom/node-exporter is not Node).
  const goVar = GO_ENV.find((name) => input.environment[name] !== undefined);
  if (input.image) {
    const image = imageName(input.image);
    if (GO_REPO.test(repoName(image)) || COLLECTOR.test(repoName(image)) || GO_ORGS.test(image)) return { runtime: 'go', detectedFrom: 'image' };
    if (JVM_IMAGE.test(image)) return { runtime: 'jvm', detectedFrom: 'image' };
    if (node && NODE_IMAGE.test(image)) return { runtime: 'node', detectedFrom: 'image' };
    if (PYTHON_IMAGE.test(image)) return { runtime: 'python', detectedFrom: 'image' };
  }
  if (goVar) return { runtime: 'go', detectedFrom: goVar };
  return input.image ? { runtime: 'other', detectedFrom: 'image' } : null;
}

/** The repository path of an image reference, without registry host and digest (the tag is kept). */
function imageName(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const parts = withoutDigest.split('/');
  if (parts.length > 1 && /[.:]/.test(parts[0] ?? '') && !/^[a-z0-9-]+:[\w.-]+$/i.test(withoutDigest)) parts.shift();
  return parts.join('/');
}

/** The repository's own name: the last path word, without tag. */
function repoName(image: string): string {
  return (image.split('/').pop() ?? '').split(':')[0]?.toLowerCase() ?? '';
}

/** Size in MiB from a JVM size (`768m`, `2g`, `1048576k`, `2147483648`). */
export function parseJvmSize(value: string): number | null {
  const match = /^(\d+)([kKmMgGtT]?)$/.exec(value);
  if (!match?.[1]) return null;
  const n = Number(match[1]);
  switch ((match[2] ?? '').toLowerCase()) {
    case 'k':
      return n / 1024;
    case 'm':
      return n;
    case 'g':
      return n * 1024;
    case 't':
      return n * 1024 * 1024;
    default:
      return n / (1024 * 1024);
  }
}

interface FoundFlag {
  envVar: string | null;
  flag: string;
}

/** Where a flag can come from: an environment variable, or the container's entryPoint + command. */
type FlagSource = { env: string } | 'command';

/** A token of the container's command, and the environment variable it was expanded from (`$JAVA_OPTS`), if any. */
export interface CommandToken {
  token: string;
  from: string | null;
}

const SHELLS = /(^|\/)(sh|bash|ash|dash|zsh)$/;

/** Commands longer than this many words are cut: no real launcher line comes near it. */
const MAX_WORDS = 5_000;
const VARIABLE = /\$\{([A-Za-z_]\w*)(?::?[-=]([^}]*))?\}|\$([A-Za-z_]\w*)/y;

/**
 * Split a shell string the way `sh` does for simple commands: whitespace separates words, quotes group them (and are
 * removed), and `$VAR`, `${VAR}` and `${VAR:-default}` expand from the environment inside a word. A word that is only
 * one variable remembers it (the fix for a flag found there goes to that variable) and, unquoted, splits into the
 * variable's words; a variable inside a longer word (`-Xmx${HEAP}`) is part of the command.
 */
function shellWords(text: string, env: Record<string, string>, out: CommandToken[]): void {
  let word = '';
  let from: string | null = null;
  let vars = 0;
  let literal = false;
  let quoted = false;
  let quote: string | null = null;
  let started = false;
  let unset = false;
  const flush = () => {
    if (!started) return;
    if (vars === 1 && !literal && from !== null) {
      const owner = unset ? null : from;
      if (quoted) out.push({ token: word, from: owner });
      else for (const w of word.split(/\s+/)) if (w !== '' && out.length < MAX_WORDS) out.push({ token: w, from: owner });
    } else if (out.length < MAX_WORDS) out.push({ token: word, from: null });
    word = '';
    from = null;
    unset = false;
    vars = 0;
    literal = false;
    quoted = false;
    started = false;
  };
  for (let i = 0; i < text.length && out.length < MAX_WORDS; i++) {
    const c = text[i] as string;
    if (quote === null && /\s/.test(c)) {
      flush();
      continue;
    }
    started = true;
    if (quote === null && (c === '"' || c === "'")) {
      quote = c;
      quoted = true;
      continue;
    }
    if (quote !== null && c === quote) {
      quote = null;
      continue;
    }
    if (c === '$' && quote !== "'") {
      VARIABLE.lastIndex = i;
      const m = VARIABLE.exec(text);
      if (m) {
        const name = (m[1] ?? m[3]) as string;
        word += env[name] ?? m[2] ?? '';
        from = name;
        // An unset variable's default is written in the command: a fix for it goes there, not to the variable.
        if (env[name] === undefined) unset = true;
        vars++;
        i += m[0].length - 1;
        continue;
      }
    }
    literal = true;
    word += c;
  }
  flush();
}

/**
 * The container's entryPoint + command as the process sees it: exec-form elements stay whole (one may hold spaces);
 * a shell string (`sh -c "…"`, or a lone string) is split into words with quotes and `$VAR` handled (`shellWords`).
 */
export function commandTokens(input: RuntimeInput): CommandToken[] {
  const parts = [...input.entryPoint, ...input.command];
  const shellAt = parts.findIndex((p, i) => p === '-c' && i > 0 && SHELLS.test(parts[i - 1] ?? ''));
  const out: CommandToken[] = [];
  parts.forEach((p, i) => {
    const isShellString = (shellAt >= 0 && i === shellAt + 1) || parts.length === 1;
    if (isShellString) shellWords(p, input.environment, out);
    else if (out.length < MAX_WORDS) out.push({ token: p, from: null });
  });
  return out;
}

/** JVM and Node options that take their value as the next token. */
const TAKES_VALUE = {
  java: /^(-cp|-classpath|--class-path|-p|--module-path|--upgrade-module-path|--add-modules|--add-opens|--add-exports|--add-reads|--patch-module|--limit-modules|-d|--describe-module)$/,
  node: /^(-r|--require|--import|--loader|--experimental-loader|-e|--eval|-p|--print|--title|-C|--conditions|--env-file|--inspect-port)$/,
} as const;

/**
 * The launcher's own options in the container's command: the tokens after `java` (or `node`) up to the main class,
 * `-jar <file>` or the script; what follows are the program's arguments, which the runtime never reads. `direct`:
 * the command runs the launcher itself. Otherwise (a start script, `npm start`) every token counts, since scripts
 * pass options through. JVM `@argfiles` are skipped (their content is not known).
 */
export function launcherOptions(input: RuntimeInput, launcher: 'java' | 'node'): { direct: boolean; options: CommandToken[] } {
  const tokens = commandTokens(input);
  const isLauncher = launcher === 'java' ? /(^|\/)java$/ : /(^|\/)(node|nodejs)$/;
  // (pm2's `--interpreter node` names the launcher; it does not run it.)
  const start = tokens.findIndex((t, i) => t.from === null && isLauncher.test(t.token) && tokens[i - 1]?.token !== '--interpreter');
  // pm2 passes --node-args (alias --interpreter-args), as `--node-args=...` or its next word, to each node it starts;
  // the words after its `--` are the app's.
  const pm2 = tokens.findIndex((t) => PM2.test(t.token));
  const end = tokens.findIndex((t, i) => i > pm2 && pm2 >= 0 && t.token === '--');
  const nodeArgs = (from: number): CommandToken[] =>
    tokens.slice(from, end < 0 ? undefined : end).flatMap((t) => t.token.replace(/^--(node|interpreter)-args=/, '').split(/\s+/).map((token) => ({ token, from: t.from })));
  if (start < 0) return { direct: false, options: launcher === 'node' ? nodeArgs(0) : tokens };
  const options: CommandToken[] = [];
  for (let i = start + 1; i < tokens.length; i++) {
    const t = tokens[i] as CommandToken;
    if (launcher === 'java' && t.token.startsWith('@')) continue;
    // The main class or the script: program arguments follow, except pm2's (`node …/pm2-runtime …`).
    if (!t.token.startsWith('-')) {
      if (launcher === 'node' && i === pm2) options.push(...nodeArgs(i + 1));
      break;
    }
    options.push(t);
    if (launcher === 'java' && t.token === '-jar') break;
    if (TAKES_VALUE[launcher].test(t.token)) i++;
  }
  return { direct: true, options };
}

/** The option that sets how many processes a process manager runs, each with its own heap or copy of the app. */
const POOLS: Record<string, RegExp> = {
  pm2: /^(?:-i|--instances)(?:=?(.+))?$/,
  gunicorn: /^(?:-w|--workers)(?:=?(.+))?$/,
  uvicorn: /^--workers(?:=(.+))?$/,
  celery: /^(?:-c|--concurrency)(?:=?(.+))?$/,
};

/** What bounds a Python pool's memory besides the limit (gunicorn and celery settings docs). */
const POOL_REMEDY: Record<string, string> = {
  gunicorn: 'Recycle leaking workers with --max-requests and --max-requests-jitter, share the loaded app copy-on-write with --preload, or run fewer (-w)',
  uvicorn: 'Run fewer (--workers)',
  celery: 'Recycle children with --max-tasks-per-child or --max-memory-per-child (KiB), or run fewer (-c)',
};

const PM2 = /(^|\/)pm2(-runtime|-docker)?$/;
/** A pm2 start target pm2 reads as a process file, not a script (its Common.isConfigFile). */
const PM2_FILE = /\.(json|ya?ml)$|\.config\.[cm]?js$/;
/** celery's global options that take a value: the subcommand is the first other word that is not an option. */
const CELERY_VALUE = /^(-A|--app|-b|--broker|--result-backend|--loader|--config|--workdir)$/;

/** The last value of an option (`-w 4`, `-w4`, `--workers=4`) in words up to `--` (the words after it are the app's). */
function lastOption(words: string[], option: RegExp): string | undefined {
  let raw: string | undefined;
  for (let i = 0; i < words.length && words[i] !== '--'; i++) {
    const m = option.exec(words[i] as string);
    if (m) raw = m[1] ?? words[++i] ?? '';
  }
  return raw;
}

/**
 * The process manager the command runs (pm2, gunicorn, uvicorn, celery worker with the prefork pool) and how many
 * processes it starts: its option (the last one; gunicorn's GUNICORN_CMD_ARGS before the command's own, celery's
 * --autoscale maximum), else its default (pm2 one, gunicorn and uvicorn WEB_CONCURRENCY or one). `count` null: one per
 * CPU it sees (pm2 `-i max`, 0, or -1 for all but one; celery without -c), or set in a pm2 process file (`raw`), which
 * the task definition does not tell. Null for anything else, and for celery's gevent, eventlet, threads and solo pools
 * (one process).
 */
export function workerPool(input: RuntimeInput): { tool: string; count: number | null; raw: string } | null {
  const tokens = commandTokens(input).map((t) => t.token);
  const at = tokens.findIndex((w) => PM2.test(w) || /(^|\/)(gunicorn|uvicorn|celery)$/.test(w));
  const tool = /pm2|gunicorn|uvicorn|celery/.exec(tokens[at] ?? '')?.[0];
  if (!tool) return null;
  const words = tokens.slice(at + 1);
  let raw = lastOption(tool === 'gunicorn' ? [...(input.environment['GUNICORN_CMD_ARGS']?.trim().split(/\s+/) ?? []), ...words] : words, POOLS[tool] as RegExp);
  if (tool === 'celery') {
    let sub: string | undefined;
    for (let i = 0; i < words.length && sub === undefined; i++) {
      if (CELERY_VALUE.test(words[i] as string)) i++;
      else if (!words[i]?.startsWith('-')) sub = words[i];
    }
    // -P x, -Px, --pool x, --pool=x; not --pool-restarts.
    const pool = lastOption(words, /^(?:-P|--pool(?=$|=))=?(.+)?$/) ?? 'prefork';
    // celery beat and the other commands run no pool; the pools but prefork run in one process.
    if (sub !== 'worker' || pool !== 'prefork') return null;
    raw = lastOption(words, /^--autoscale(?:=(.+))?$/)?.split(',')[0] ?? raw ?? 'max';
  }
  if (tool === 'pm2') {
    // The start target, the first bare word (after `start`): options and their values (`--log app.json`) come after it.
    const file = words.find((w) => !w.startsWith('-') && w !== 'start');
    if (file && PM2_FILE.test(file)) return { tool, count: null, raw: file };
  }
  raw ??= tool === 'pm2' ? '1' : (input.environment['WEB_CONCURRENCY'] ?? '1');
  return /^(max|0|-1)$/.test(raw) ? { tool, count: null, raw } : /^\d+$/.test(raw) ? { tool, count: Number(raw), raw } : null;
}

/**
 * The flag that takes effect: sources in order of precedence (first wins), and within one source the last match
 * (for both the JVM and Node the last occurrence of an option wins). `command` is the launcher's options.
 */
function findFlag(input: RuntimeInput, pattern: RegExp, sources: FlagSource[], command: CommandToken[] = commandTokens(input)): FoundFlag | null {
  // Whole words only: `-Dopts=-Xmx4g` is a property's value, not a heap size.
  const whole = new RegExp(`^(?:${pattern.source})$`);
  const last = (text: string): string | null => {
    let found: string | null = null;
    for (const word of text.split(/\s+/)) if (whole.test(word)) found = word;
    return found;
  };
  for (const source of sources) {
    if (source === 'command') {
      let found: FoundFlag | null = null;
      for (const part of command) {
        const flag = last(part.token);
        if (flag) found = { envVar: part.from, flag };
      }
      if (found) return found;
    } else {
      const value = input.environment[source.env];
      const found = value === undefined ? null : last(value);
      if (found) return { envVar: source.env, flag: found };
    }
  }
  return null;
}

/**
 * JVM precedence, highest first: `_JAVA_OPTIONS` (read after the command line), the command line, then
 * `JDK_JAVA_OPTIONS` (prepended by the `java` launcher), then `JAVA_TOOL_OPTIONS` (read first by the VM).
 * `JAVA_OPTS`, `CATALINA_OPTS` and `JVM_OPTS` are read by start scripts, which put them on the command line; a command
 * that runs `java` itself never reads them.
 */
function jvmSources(direct: boolean): FlagSource[] {
  return [
    { env: '_JAVA_OPTIONS' },
    'command',
    ...(direct ? [] : [{ env: 'CATALINA_OPTS' }, { env: 'JAVA_OPTS' }, { env: 'JVM_OPTS' }]),
    { env: 'JDK_JAVA_OPTIONS' },
    { env: 'JAVA_TOOL_OPTIONS' },
  ];
}
/** Node: command-line options override NODE_OPTIONS, which are read first. */
const NODE_SOURCES: FlagSource[] = ['command', { env: 'NODE_OPTIONS' }];
/** `-Xmx2g` and its long form `-XX:MaxHeapSize=2g`. */
const JVM_MAX_HEAP = /(?:-Xmx|-XX:MaxHeapSize=)(\d+[kKmMgGtT]?)\b/;
/** The heap's floor: `-Xms2g`, `-XX:InitialHeapSize=2g`, `-XX:MinHeapSize=2g`. */
const JVM_MIN_HEAP = /(?:-Xms|-XX:InitialHeapSize=|-XX:MinHeapSize=)(\d+[kKmMgGtT]?)\b/;

/** Every whole-word occurrence of a flag in every source (not only the one in effect); `-Dx=-Xms4g` is not one. */
function allFlags(input: RuntimeInput, pattern: RegExp, sources: FlagSource[], command: CommandToken[]): FoundFlag[] {
  const whole = new RegExp(`^(?:${pattern.source})$`);
  const out: FoundFlag[] = [];
  for (const source of sources) {
    if (source === 'command') {
      for (const part of command) if (whole.test(part.token)) out.push({ envVar: part.from, flag: part.token });
    } else {
      const value = input.environment[source.env];
      if (value !== undefined) for (const word of value.split(/\s+/)) if (whole.test(word)) out.push({ envVar: source.env, flag: word });
    }
  }
  return out;
}

/** Any word that sets the JVM heap's size: -Xmx, -XX:MaxHeapSize, -XX:MaxRAMPercentage. */
const JVM_HEAP_ANY = /-Xmx\d+[kKmMgGtT]?|-XX:MaxHeapSize=\d+[kKmMgGtT]?|-XX:MaxRAMPercentage=\d+(?:\.\d+)?/;

function dedupe(flags: FoundFlag[]): FoundFlag[] {
  const seen = new Set<string>();
  return flags.filter((f) => {
    const key = `${f.envVar ?? ''}\u0000${f.flag}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const sizeOfFlag = (flag: string): number | null => parseJvmSize(flag.replace(/^-Xm[xs]|^-XX:\w+=/, ''));
/** Node accepts dashes or underscores in option names. */
const NODE_MAX_OLD = /--max[-_]old[-_]space[-_]size=(\d+)/;

/** A fixed heap above 75 % of what the other containers leave of the task. */
function sharedHeap(flag: string, heapMiB: number, sharedMiB: number, most: string): string {
  return (
    `${flag} is ${Math.round((heapMiB / sharedMiB) * 100)} % of the ${sharedMiB} MiB the other containers leave of the task: ` +
    `lower it to at most ${most}, or give the task more memory.`
  );
}

function jvmAdvice(input: RuntimeInput, limitMiB: number | null, detectedFrom: string, sharedMiB: number | null): RuntimeAdvice {
  const problems: string[] = [];
  const launch = launcherOptions(input, 'java');
  const JVM_SOURCES = jvmSources(launch.direct);
  const xmx = findFlag(input, JVM_MAX_HEAP, JVM_SOURCES, launch.options);
  const percent = findFlag(input, /-XX:MaxRAMPercentage=(\d+(?:\.\d+)?)/, JVM_SOURCES, launch.options);
  // The fix goes where the flag in effect is (null: the container command); with none, in a Java env var.
  // A command that runs `java` itself reads no script variable (JAVA_OPTS...): only the JVM's own ones would work.
  const writable = launch.direct ? ['JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', '_JAVA_OPTIONS'] : JAVA_ENV;
  const envVar = xmx ? xmx.envVar : percent ? percent.envVar : (writable.find((n) => input.environment[n] !== undefined) ?? 'JAVA_TOOL_OPTIONS');
  const recommendedFlag = '-XX:MaxRAMPercentage=75.0';
  let currentFlag: string | null = null;
  // Every other word that sets the heap (a size or a percentage) matters: in the fix's own place it goes with the fix;
  // anywhere else it would override the fix (a later source, or any -Xmx over a percentage) or take over once the
  // winning one is replaced, so it is named, with where to remove it.
  const inEffect0 = xmx ?? percent;
  const heapWords = allFlags(input, JVM_HEAP_ANY, JVM_SOURCES, launch.options);
  const sameSource = (f: FoundFlag): boolean => f.envVar === envVar;
  const elsewhereHeap = dedupe(heapWords.filter((f) => !sameSource(f)));
  if (elsewhereHeap.length > 0) {
    problems.push(
      `${inEffect0 ? `${inEffect0.flag} in ${inEffect0.envVar ?? 'the command'}` : 'The fix'} is not the only heap setting: ` +
        `${elsewhereHeap.map((f) => `${f.flag} in ${f.envVar ?? 'the command'}`).join(', ')} also set${elsewhereHeap.length === 1 ? 's' : ''} it: ` +
        'remove those, or they override the fix or take over once it changes.',
    );
  }
  if (xmx) {
    currentFlag = xmx.flag;
    const heap = sizeOfFlag(xmx.flag);
    if (heap !== null && limitMiB) {
      const share = heap / limitMiB;
      if (share > HEAP_SHARE) {
        problems.push(
          `${xmx.flag} is ${Math.round(share * 100)} % of the ${limitMiB} MiB limit: metaspace, thread stacks and native ` +
            `memory need the rest. Replace it with ${recommendedFlag} (heap ${Math.floor(limitMiB * HEAP_SHARE)} MiB), ` +
            `or at most -Xmx${Math.floor(limitMiB * HEAP_SHARE)}m.`,
        );
      } else {
        problems.push(`${xmx.flag} is fixed: it will not grow with the new limit. Prefer ${recommendedFlag}.`);
      }
    }
  } else if (percent) {
    currentFlag = percent.flag;
    const value = Number(percent.flag.split('=')[1]);
    if (value > HEAP_SHARE_MAX * 100) {
      problems.push(`${percent.flag} leaves only ${Math.round((100 - value) * 10) / 10} % of the limit for non-heap memory; use ${recommendedFlag}.`);
    }
  } else if (limitMiB) {
    problems.push(
      `No heap flag: the JVM defaults to MaxRAMPercentage=25, and native memory is unbounded. Set ${recommendedFlag} ` +
        `so the heap follows the limit and a heap overflow is a Java OutOfMemoryError, not a container kill.`,
    );
  }
  // No hard limit of its own (EC2 with a reservation only, or a container sharing its task's memory): the JVM sizes
  // its heap from all the memory it sees, so a percentage would size it from memory that is not this container's.
  const noLimit = limitMiB === null;
  // A fixed heap in a container that shares the task: the most it can have is what the other containers leave.
  const xmxMiB = xmx ? sizeOfFlag(xmx.flag) : null;
  if (noLimit && xmx && xmxMiB !== null && sharedMiB !== null && xmxMiB > sharedMiB * HEAP_SHARE) {
    problems.push(sharedHeap(xmx.flag, xmxMiB, sharedMiB, `-Xmx${Math.floor(sharedMiB * HEAP_SHARE)}m`));
  }
  if (noLimit && !xmx) {
    problems.push(
      `No hard memory limit of its own: the JVM takes ${percent ? percent.flag.replace(/^-XX:/, '') : 'its default 25 %'} of all the memory it sees (the instance's or the task's). ` +
        `Give the container a hard limit first, then ${recommendedFlag}; until then a fixed -Xmx.`,
    );
  }
  // A heap floor above the heap in effect after the fix raises the maximum heap to it (HotSpot), and above an -Xmx it
  // stops the JVM at start: each one is named; the ones where the fix goes are removed with it.
  const heapAfter =
    limitMiB === null
      ? null
      : problems.length > 0
        ? Math.floor(limitMiB * HEAP_SHARE)
        : xmx
          ? sizeOfFlag(xmx.flag)
          : Math.floor((limitMiB * (percent ? Number(percent.flag.split('=')[1]) : 25)) / 100);
  const floors =
    heapAfter === null ? [] : dedupe(allFlags(input, JVM_MIN_HEAP, JVM_SOURCES, launch.options).filter((f) => (sizeOfFlag(f.flag) ?? 0) > heapAfter));
  // A buildpack image's memory calculator sets -Xmx at start (over any percentage), and fails the start when a fixed
  // -Xmx leaves too little for its estimate of the rest: no flag is safe to give, only the headroom it keeps.
  const bp = buildpackVars(input).length > 0;
  const needsChange = (problems.length > 0 || floors.length > 0) && !noLimit && !bp;
  const alsoRemove = needsChange
    ? [...new Set([...heapWords.filter((f) => sameSource(f) && f.flag !== currentFlag).map((f) => f.flag), ...floors.filter(sameSource).map((f) => f.flag)])]
    : [];
  const removeElsewhere = needsChange ? dedupe([...elsewhereHeap, ...floors.filter((f) => !sameSource(f))]) : [];
  for (const f of floors) {
    problems.push(
      `${f.flag} in ${f.envVar ?? 'the command'} is above the heap (${heapAfter ?? 0} MiB): the JVM raises its maximum heap to it (and below an -Xmx does not start). ` +
        `${f.envVar === envVar ? 'Remove it with the fix below' : `Remove it from ${f.envVar ?? 'the command'}`}.`,
    );
  }
  // (A note, not a problem that calls for a change.) Without `java` in the command (a start script, or the image's own command when the task definition has none), a
  // flag in the command or in a script variable counts only if the script passes it on: say so.
  const scriptVars = ['JAVA_OPTS', 'CATALINA_OPTS', 'JVM_OPTS'];
  const inEffect = xmx ?? percent;
  if (!launch.direct && inEffect && (inEffect.envVar === null || scriptVars.includes(inEffect.envVar))) {
    problems.push(
      `${inEffect.flag} is in ${inEffect.envVar ?? 'the command'}, which counts only if the container's start script passes it on to the JVM ` +
        `(the command does not run java itself${[...input.entryPoint, ...input.command].length === 0 ? ': the task definition leaves it to the image' : ''}).`,
    );
  }
  return {
    runtime: 'jvm',
    detectedFrom,
    currentFlag,
    recommendedFlag: needsChange ? recommendedFlag : null,
    envVar,
    alsoRemove,
    removeElsewhere,
    problems: bp
      ? [
          `A buildpack image: its memory calculator ${xmx ? `keeps ${xmx.flag}, leaving native memory the rest: remove it and` : 'sizes the heap at start, with no headroom by default, over any percentage flag:'} set BPL_JVM_HEAD_ROOM=10 to 25.`,
        ]
      : problems,
    profiling: JVM_PROFILING,
  };
}

const JVM_PROFILING =
  'Add -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=/tmp (on a volume you can read), take `jcmd <pid> GC.heap_dump`, ' +
  'and turn on -XX:NativeMemoryTracking=summary to see memory outside the heap.';

/**
 * Elasticsearch, OpenSearch, Kafka: the heap is the largest -Xmx/-Xms (or MaxRAMPercentage, where it sizes the heap) in
 * the server's own variable and its script's default where that applies; above half the limit it leaves too little off
 * the heap, and the fix sets -Xms = -Xmx at half, there.
 */
function serverAdvice(input: RuntimeInput, limitMiB: number | null, detectedFrom: string, [envVar, , unset, jvmOptions]: (typeof SERVER_HEAP)[number]): RuntimeAdvice {
  // A blank variable is unset to the start scripts (`"x$KAFKA_HEAP_OPTS" = "x"`).
  const value = input.environment[envVar]?.trim() || undefined;
  const own = value?.split(/\s+/) ?? [];
  const es = envVar === 'ES_JAVA_OPTS';
  const tag = /:(\d+)\.(\d+)/.exec(imageName(input.image ?? '')) ?? [];
  const version = Number(tag[1]) * 100 + Number(tag[2]);
  // The default, unless the variable replaces it; Elasticsearch's only from 6.0 to 7.10 (from 7.11, or an unknown tag, it sizes the heap itself).
  const base = (value === undefined || (jvmOptions && !own.some((w) => w.startsWith('-Xmx')))) && (!es || (version >= 600 && version < 711)) ? unset : '';
  const all = [...base.split(' '), ...own];
  // A percentage sizes the heap only without an -Xmx, and on Elasticsearch 7.11+ only when an -Xms keeps its own sizing off.
  const pct = !all.some((w) => w.startsWith('-Xmx')) && (!es || all.some((w) => w.startsWith('-Xms')));
  const sizes = all.filter((w) => (/^-Xm[xs]/.test(w) && sizeOfFlag(w) !== null) || (pct && /^-XX:MaxRAMPercentage=\d/.test(w)));
  const heapOf = (w: string | undefined): number => (w?.startsWith('-XX') ? (Number(w.split('=')[1]) * (limitMiB ?? 0)) / 100 : w ? (sizeOfFlag(w) ?? 0) : 0);
  // The largest size is the heap (the JVM raises its maximum to an -Xms above it); an -Xmx of that size is named.
  const top = sizes.reduce<string | undefined>((a, w) => (heapOf(w) > heapOf(a) || (heapOf(w) === heapOf(a) && w.startsWith('-Xmx')) ? w : a), undefined);
  const half = Math.floor((limitMiB ?? 0) * SERVER_HEAP_SHARE);
  const change = limitMiB !== null && heapOf(top) > half;
  const recommendedFlag = `-Xms${half}m -Xmx${half}m`;
  return {
    runtime: 'jvm',
    detectedFrom,
    // The fix replaces the last -Xmx (the one the JVM takes) and removes every -Xms: none stays above the new heap.
    currentFlag: sizes.filter((w) => !w.startsWith('-Xms') && own.includes(w)).pop() ?? null,
    recommendedFlag: change ? recommendedFlag : null,
    envVar,
    alsoRemove: change && value !== undefined ? [...new Set(sizes.filter((w) => w.startsWith('-Xms')))] : [],
    removeElsewhere: [],
    problems: change
      ? [
          `${top ?? ''} in ${own.includes(top ?? '') ? envVar : `the default (no ${value ? '-Xmx in ' : ''}${envVar})`} is ${Math.round((heapOf(top) / (limitMiB ?? 1)) * 100)} % of the ${String(limitMiB)} MiB limit: ` +
            `half of it must stay off the heap, for the filesystem cache and buffers. Set ${recommendedFlag} in ${envVar} (50 %, -Xms = -Xmx).`,
        ]
      : [],
    profiling: JVM_PROFILING,
  };
}

function nodeAdvice(input: RuntimeInput, limitMiB: number | null, detectedFrom: string, sharedMiB: number | null): RuntimeAdvice {
  const problems: string[] = [];
  const found = findFlag(input, NODE_MAX_OLD, NODE_SOURCES, launcherOptions(input, 'node').options);
  // pm2 -i N runs N node processes, each with its own heap: they share the limit.
  const pool = workerPool(input);
  const n = pool?.tool === 'pm2' ? pool.count : 1;
  const pm2 = n === 1 ? '' : ` × ${String(n)} pm2 instances (-i)`;
  const target = limitMiB && n ? Math.floor((limitMiB * HEAP_SHARE) / n) : null;
  const recommendedFlag = target ? `--max-old-space-size=${target}` : null;
  const where = pool?.tool === 'pm2' && found?.envVar === null ? ' in --node-args' : '';
  if (n === null) {
    const raw = pool?.raw ?? '';
    if (limitMiB) {
      problems.push(
        PM2_FILE.test(raw)
          ? `pm2 takes instances and node_args from ${raw}, not the command: in its node_args, set --max-old-space-size to 75 % of ${limitMiB} MiB divided by its instances.`
          : `pm2 -i ${raw} runs one instance on each CPU it sees${raw === '-1' ? ' but one' : ''} (the host's, on EC2), each with its own heap: give -i a number and set --max-old-space-size to 75 % of ${limitMiB} MiB divided by it.`,
      );
    }
  } else if (found) {
    const heap = Number(found.flag.split('=')[1]) * n;
    if (limitMiB && heap > limitMiB * HEAP_SHARE_MAX) {
      problems.push(
        `${found.flag}${pm2} is ${Math.round((heap / limitMiB) * 100)} % of the ${limitMiB} MiB limit: V8 will grow the heap ` +
          `past what the container can hold. Use ${recommendedFlag}${where}.`,
      );
    } else if (limitMiB && heap < limitMiB * 0.5) {
      problems.push(`${found.flag}${pm2} uses under half of the ${limitMiB} MiB limit; ${recommendedFlag}${where} makes use of it.`);
    }
    if (!limitMiB && sharedMiB !== null && heap > sharedMiB * HEAP_SHARE) {
      problems.push(sharedHeap(found.flag + pm2, heap, sharedMiB, `--max-old-space-size=${Math.floor((sharedMiB * HEAP_SHARE) / n)}`));
    }
  } else if (limitMiB) {
    problems.push(
      `No --max-old-space-size: V8 takes a quarter of the memory it sees (the host's, on Node before 20.3 with cgroup v2). Set ${recommendedFlag} ` +
        `(75 % of ${limitMiB} MiB${pm2 && ` / ${n} pm2 instances (-i), each with its own heap`}) in NODE_OPTIONS.`,
    );
  }
  const flag = problems.length > 0 ? recommendedFlag : null;
  // Change it where it is: the command (null), the variable a shell command expanded it from, or NODE_OPTIONS.
  const envVar = found ? found.envVar : 'NODE_OPTIONS';
  // Another --max-old-space-size in the same place goes with the fix (the last one wins). One in NODE_OPTIONS under a
  // command-line one is overridden by it, before and after the fix.
  const alsoRemove = flag
    ? [...new Set(allFlags(input, NODE_MAX_OLD, NODE_SOURCES, launcherOptions(input, 'node').options).filter((f) => f.envVar === envVar && f.flag !== found?.flag).map((f) => f.flag))]
    : [];
  return {
    runtime: 'node',
    detectedFrom,
    currentFlag: found?.flag ?? null,
    recommendedFlag: flag,
    envVar,
    alsoRemove,
    removeElsewhere: [],
    problems,
    profiling:
      'Add --heapsnapshot-near-heap-limit=2 --diagnostic-dir=/tmp to NODE_OPTIONS to write heap snapshots before V8 ' +
      'runs out, then compare two snapshots in Chrome DevTools.',
  };
}

/**
 * GOMEMLIMIT at this share of the container limit: the Go GC guide leaves 5-10 % for memory the runtime does not
 * manage; the OpenTelemetry Collector's documentation asks for 80 %. A value within 10 points below it is left alone.
 */
export const GO_LIMIT_SHARE = { default: 0.9, collector: 0.8 } as const;
/** Above this share of the limit GOMEMLIMIT leaves no room. */
const GO_LIMIT_MAX = 0.95;

/**
 * Bytes from a GOMEMLIMIT value the way the Go runtime reads it (`runtime.parseByteCount`): a whole number (a sign
 * allowed, `-` only for 0), with no suffix or with `B`, `KiB`, `MiB`, `GiB` or `TiB`, within an int64. Anything else
 * (`900MB`, `1.5GiB`, `2g`, ` 2GiB`) is malformed: the runtime stops at start with it. `off` and empty mean no limit:
 * Infinity.
 */
export function parseGoMemLimit(value: string): number | null {
  if (value === '' || value === 'off') return Number.POSITIVE_INFINITY;
  const match = /^([+-]?)(\d+)(B|KiB|MiB|GiB|TiB)?$/.exec(value);
  if (!match?.[2]) return null;
  const n = Number(match[2]);
  if (match[1] === '-' && n !== 0) return null;
  const bytes = n * 1024 ** ({ B: 0, KiB: 1, MiB: 2, GiB: 3, TiB: 4 }[match[3] ?? 'B'] ?? 0);
  // A count that does not fit an int64 is malformed to Go too.
  return bytes < 2 ** 63 ? bytes : null;
}

function goAdvice(input: RuntimeInput, limitMiB: number | null, detectedFrom: string): RuntimeAdvice {
  const problems: string[] = [];
  const repo = input.image ? repoName(imageName(input.image)) : '';
  const collector = COLLECTOR.test(repo);
  const share = collector ? GO_LIMIT_SHARE.collector : GO_LIMIT_SHARE.default;
  const raw = input.environment['GOMEMLIMIT'];
  const bytes = raw === undefined ? Number.POSITIVE_INFINITY : parseGoMemLimit(raw);
  // The value is printed only when it is a size (or `off`): anything else could be a mistake with a secret in it.
  const current = raw !== undefined && raw !== '' && bytes !== null ? raw : null;
  const target = limitMiB ? Math.floor(limitMiB * share) : null;
  const recommended = target ? `${target}MiB` : null;
  // GOGC as the runtime reads it: exactly `off`, or a whole number (negative: off), else the default 100.
  const gogcRaw = input.environment['GOGC'];
  const gogcNumber = gogcRaw !== undefined && /^[+-]?\d+$/.test(gogcRaw) ? Number(gogcRaw) : 100;
  const gcOff = gogcRaw === 'off' || gogcNumber < 0;
  const why = `${Math.round(share * 100)} % of ${String(limitMiB)} MiB${collector ? ', as the Collector docs ask' : ''}`;
  let change = false;
  if (bytes === null) {
    // The runtime stops at start with it: the program that was killed did not read it as Go does.
    problems.push('GOMEMLIMIT is not a value Go accepts (a Go program would not start with it): the killed process did not read it.');
  } else if (bytes === Number.POSITIVE_INFINITY) {
    if (limitMiB) {
      problems.push(
        `No GOMEMLIMIT: Go does not read the container's limit, and grows the heap to ${gcOff ? 'any size (GOGC is off)' : `${(1 + gogcNumber / 100)}× the live heap`} before it collects. ` +
          `Set GOMEMLIMIT=${recommended ?? ''} (${why}).`,
      );
      change = true;
    }
  } else if (limitMiB) {
    const mib = bytes / 1048576;
    const high = mib > limitMiB * GO_LIMIT_MAX;
    if (high || mib < limitMiB * (share - 0.1)) {
      problems.push(
        `GOMEMLIMIT=${current ?? ''} is ${Math.round((mib / limitMiB) * 100)} % of the ${limitMiB} MiB limit: ` +
          `${high ? 'no room for memory Go does not manage (cgo, mmap, stacks)' : 'the GC works as if the container were smaller'}. Use GOMEMLIMIT=${recommended ?? ''} (${why}).`,
      );
      change = true;
    }
  }
  if (collector) {
    problems.push('An OpenTelemetry Collector: also put the memory_limiter processor first in every pipeline, so it refuses data before the limit.');
  }
  return {
    runtime: 'go',
    detectedFrom,
    currentFlag: current,
    recommendedFlag: change ? recommended : null,
    envVar: 'GOMEMLIMIT',
    alsoRemove: [],
    removeElsewhere: [],
    problems,
    profiling: 'two net/http/pprof heap profiles compared with go tool pprof -base, and GODEBUG=gctrace=1',
  };
}

/**
 * Runtime advice for the container under `limitMiB` (the proposed hard limit, or the current one when there is
 * no proposal). Null when nothing identifies the runtime.
 */
export function adviseRuntime(input: RuntimeInput, limitMiB: number | null, sharedMiB: number | null = null): RuntimeAdvice | null {
  const detected = detectRuntime(input);
  if (!detected) return null;
  switch (detected.runtime) {
    case 'jvm': {
      const server = serverOf(input);
      return server ? serverAdvice(input, limitMiB, detected.detectedFrom, server) : jvmAdvice(input, limitMiB, detected.detectedFrom, sharedMiB);
    }
    case 'node':
      return nodeAdvice(input, limitMiB, detected.detectedFrom, sharedMiB);
    case 'go':
      return goAdvice(input, limitMiB, detected.detectedFrom);
    default: {
      const python = detected.runtime === 'python';
      const pool = python ? workerPool(input) : null;
      const n = pool?.count;
      return {
        runtime: python ? 'python' : 'other',
        detectedFrom: detected.detectedFrom,
        currentFlag: null,
        recommendedFlag: null,
        envVar: null,
        alsoRemove: [],
        removeElsewhere: [],
        // Each worker is a process with its own copy of the app: a note on their number, with what bounds it.
        problems:
          pool && pool.tool !== 'pm2' && n !== 1
            ? [
                `${pool.tool} runs ${n ? `${n} workers` : "one worker per CPU it sees (the host's, on EC2)"}, each a process with its own copy of the app: memory grows with their number` +
                  `${n && limitMiB ? `, at most ${Math.floor(limitMiB / n)} MiB each under the ${limitMiB} MiB limit` : ''}. ${POOL_REMEDY[pool.tool] ?? ''}.`,
              ]
            : [],
        profiling: python
          ? 'Python has no heap limit flag. Set PYTHONTRACEMALLOC=25 (or call tracemalloc.start()) and compare tracemalloc snapshots to find what grows.'
          : null,
      };
    }
  }
}

/** A word that sets the heap size (the fix replaces it), as a regex source that jq's `test` reads too. */
export const HEAP_WORD = {
  jvm: '^-(Xmx|XX:MaxHeapSize=|XX:MaxRAMPercentage=)[0-9]',
  node: '^--max[-_]old[-_]space[-_]size=[0-9]',
  /** GOMEMLIMIT holds the size alone: every word of it is replaced. */
  go: '.',
} as const;

/** The heap-word pattern of a runtime whose fix edits a variable. */
export function heapWord(runtime: RuntimeAdvice['runtime']): string {
  return (HEAP_WORD as Partial<Record<RuntimeAdvice['runtime'], string>>)[runtime] ?? HEAP_WORD.node;
}

/**
 * The new value of the env var that carries the flag: the old value with its heap-size words (and the words in
 * `alsoRemove`) taken out, whole words only, and the flag appended; every other option stays as written.
 */
export function applyFlag(current: string | undefined, advice: Pick<RuntimeAdvice, 'runtime' | 'recommendedFlag'> & { alsoRemove?: readonly string[] }): string | null {
  if (!advice.recommendedFlag) return null;
  const word = new RegExp(heapWord(advice.runtime));
  const floors = new Set(advice.alsoRemove ?? []);
  const out: string[] = [];
  for (const part of (current ?? '').split(/(\s+)/)) {
    if (part !== '' && !/^\s+$/.test(part) && (word.test(part) || floors.has(part))) {
      // A dropped word takes the separator before it along; the spacing elsewhere stays as written.
      if (out.length > 0 && /^\s+$/.test(out[out.length - 1] as string)) out.pop();
      continue;
    }
    out.push(part);
  }
  const next = out.join('').replace(/^\s+|\s+$/g, '');
  return next ? `${next} ${advice.recommendedFlag}` : advice.recommendedFlag;
}
