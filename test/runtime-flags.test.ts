import { describe, expect, it } from 'vitest';
import { adviseRuntime, applyFlag, detectRuntime, parseGoMemLimit, parseJvmSize, type RuntimeInput } from '../lambda/runtime-flags';
import { renderRuntimeFlag } from '../lambda/fix-snippets';

const input = (over: Partial<RuntimeInput>): RuntimeInput => ({ image: null, environment: {}, command: [], entryPoint: [], ...over });

describe('detectRuntime', () => {
  it.each([
    [{ environment: { JAVA_TOOL_OPTIONS: '-Xmx900m' } }, 'jvm', 'JAVA_TOOL_OPTIONS'],
    [{ environment: { JAVA_OPTS: '' } }, 'jvm', 'JAVA_OPTS'],
    [{ command: ['java', '-jar', '/app.jar'] }, 'jvm', 'command'],
    [{ image: 'eclipse-temurin:21-jre' }, 'jvm', 'image'],
    [{ image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/amazoncorretto:17' }, 'jvm', 'image'],
    [{ environment: { NODE_OPTIONS: '--enable-source-maps' } }, 'node', 'NODE_OPTIONS'],
    [{ command: ['node', 'server.js'] }, 'node', 'command'],
    [{ image: 'node:20-slim' }, 'node', 'image'],
    [{ image: 'public.ecr.aws/docker/library/python:3.12-slim' }, 'python', 'image'],
    [{ command: ['gunicorn', 'app:app'] }, 'python', 'command'],
    [{ image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable' }, 'other', 'image'],
    [{ environment: { GOMEMLIMIT: '900MiB' } }, 'go', 'GOMEMLIMIT'],
    [{ environment: { GOGC: '50' } }, 'go', 'GOGC'],
    [{ image: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.43.1' }, 'go', 'image'],
    [{ image: 'otel/opentelemetry-collector-contrib:0.115.0' }, 'go', 'image'],
    [{ image: 'golang:1.23-alpine' }, 'go', 'image'],
    [{ image: 'traefik:v3.2' }, 'go', 'image'],
    [{ image: 'mycorp/otelcollector-app:1' }, 'other', 'image'],
  ] as const)('%j -> %s', (over, runtime, from) => {
    expect(detectRuntime(input(over as Partial<RuntimeInput>))).toEqual({ runtime, detectedFrom: from });
  });

  it('returns null with nothing to go on', () => {
    expect(detectRuntime(input({}))).toBeNull();
  });
});

describe('JVM', () => {
  it('flags -Xmx over 75 % of the new limit and gives MaxRAMPercentage', () => {
    const advice = adviseRuntime(input({ environment: { JAVA_TOOL_OPTIONS: '-Xms512m -Xmx900m -XX:+UseG1GC' } }), 1024)!;
    expect(advice.runtime).toBe('jvm');
    expect(advice.currentFlag).toBe('-Xmx900m');
    expect(advice.recommendedFlag).toBe('-XX:MaxRAMPercentage=75.0');
    expect(advice.envVar).toBe('JAVA_TOOL_OPTIONS');
    expect(advice.problems[0]).toMatch(/-Xmx900m is 88 % of the 1024 MiB limit/);
    expect(applyFlag('-Xms512m -Xmx900m -XX:+UseG1GC', advice)).toBe('-Xms512m -XX:+UseG1GC -XX:MaxRAMPercentage=75.0');
  });

  it('drops an -Xms above the new heap from the variable it rewrites (HotSpot raises the max heap to it), and names one elsewhere', () => {
    // JAVA_TOOL_OPTIONS="-Xms2g -Xmx2g ..." under a new 2464 MiB limit: heap 1848 MiB, so -Xms2g must go too.
    const advice = adviseRuntime(input({ environment: { JAVA_TOOL_OPTIONS: '-Xms2g -Xmx2g -XX:+UseG1GC -Dfile.encoding=UTF-8' } }), 2464)!;
    expect(advice.recommendedFlag).toBe('-XX:MaxRAMPercentage=75.0');
    expect(advice.alsoRemove).toEqual(['-Xms2g']);
    expect(applyFlag('-Xms2g -Xmx2g -XX:+UseG1GC -Dfile.encoding=UTF-8', advice)).toBe('-XX:+UseG1GC -Dfile.encoding=UTF-8 -XX:MaxRAMPercentage=75.0');
    expect(advice.problems.join('\n')).toMatch(/-Xms2g in JAVA_TOOL_OPTIONS is above the heap \(1848 MiB\).*Remove it with the fix below/);
    // An -Xms at or under the new heap stays.
    const small = adviseRuntime(input({ environment: { JAVA_TOOL_OPTIONS: '-Xms512m -Xmx2g' } }), 2464)!;
    expect(small.alsoRemove).toEqual([]);
    expect(applyFlag('-Xms512m -Xmx2g', small)).toBe('-Xms512m -XX:MaxRAMPercentage=75.0');
    // Whole words only, and the spacing elsewhere as written: -Dbar=-Xmx4g is a property's value, not a heap size.
    expect(applyFlag('-Dsep="a  b" -Dbar=-Xmx4g -Xmx2g', small)).toBe('-Dsep="a  b" -Dbar=-Xmx4g -XX:MaxRAMPercentage=75.0');
    // In the command while the fix goes to JAVA_TOOL_OPTIONS: named, with where to remove it.
    const elsewhere = adviseRuntime(
      input({ command: ['java', '-XX:InitialHeapSize=3g', '-jar', 'app.jar'], environment: { JAVA_TOOL_OPTIONS: '-Xmx3g' } }),
      2464,
    )!;
    expect(elsewhere.envVar).toBe('JAVA_TOOL_OPTIONS');
    expect(elsewhere.problems.join('\n')).toMatch(/-XX:InitialHeapSize=3g in the command is above the heap.*Remove it from the command/);
    expect(elsewhere.alsoRemove).toEqual([]);
    // In the command with the fix in the command too: removed with it, named once even when repeated.
    const inCommand = adviseRuntime(input({ command: ['java', '-Xms2g', '-Xms2g', '-Xmx2g', '-jar', 'app.jar'], environment: {} }), 1360)!;
    expect(inCommand.envVar).toBeNull();
    expect(inCommand.alsoRemove).toEqual(['-Xms2g']);
    expect(inCommand.problems.filter((p) => p.startsWith('-Xms2g'))).toHaveLength(1);
    // A percentage that is fine, but an -Xms above the heap it gives (75 % of 2048 = 1536): still a change to make.
    const floorOnly = adviseRuntime(input({ environment: { JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75.0 -Xms3g' } }), 2048)!;
    expect(floorOnly.recommendedFlag).toBe('-XX:MaxRAMPercentage=75.0');
    expect(floorOnly.alsoRemove).toEqual(['-Xms3g']);
    // A -Xms inside another option's value is not a heap floor.
    const inValue = adviseRuntime(input({ environment: { JAVA_TOOL_OPTIONS: '-Dfoo=-Xms4g -Xmx2g' } }), 2464)!;
    expect(inValue.alsoRemove).toEqual([]);
  });

  it('gives no percentage when there is no hard limit: the JVM would size its heap from the whole instance', () => {
    const none = adviseRuntime(input({ image: 'tomcat:10', environment: { CATALINA_OPTS: '-Dfile.encoding=UTF-8' } }), null)!;
    expect(none.recommendedFlag).toBeNull();
    expect(none.alsoRemove).toEqual([]);
    expect(none.problems.join('\n')).toMatch(/No hard memory limit of its own: the JVM takes its default 25 % of all the memory it sees.*hard limit first/);
    const percent = adviseRuntime(input({ environment: { JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75.0' } }), null)!;
    expect(percent.recommendedFlag).toBeNull();
    expect(percent.problems.join('\n')).toMatch(/takes MaxRAMPercentage=75.0 of all the memory it sees/);
  });

  it('flags MaxRAMPercentage=95', () => {
    const advice = adviseRuntime(input({ environment: { JAVA_OPTS: '-XX:MaxRAMPercentage=95.0' } }), 2048)!;
    expect(advice.problems[0]).toMatch(/leaves only 5 % of the limit/);
    expect(applyFlag('-XX:MaxRAMPercentage=95.0', advice)).toBe('-XX:MaxRAMPercentage=75.0');
  });

  it('accepts MaxRAMPercentage=75 as it is (noting that JAVA_OPTS counts only if the image passes it on)', () => {
    const advice = adviseRuntime(input({ environment: { JAVA_OPTS: '-XX:MaxRAMPercentage=75' } }), 2048)!;
    expect(advice.problems).toEqual([
      '-XX:MaxRAMPercentage=75 is in JAVA_OPTS, which counts only if the container\'s start script passes it on to the JVM (the command does not run java itself: the task definition leaves it to the image).',
    ]);
    expect(advice.recommendedFlag).toBeNull();
    const viaJvm = adviseRuntime(input({ environment: { JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75' } }), 2048)!;
    expect(viaJvm.problems).toEqual([]);
  });

  it('reads -XX:MaxHeapSize, the long form of -Xmx', () => {
    const advice = adviseRuntime(input({ environment: { JAVA_OPTS: '-XX:MaxHeapSize=4g -XX:+UseG1GC' } }), 1024)!;
    expect(advice.currentFlag).toBe('-XX:MaxHeapSize=4g');
    expect(advice.problems[0]).toMatch(/-XX:MaxHeapSize=4g is 400 % of the 1024 MiB limit/);
    expect(applyFlag('-XX:MaxHeapSize=4g -XX:+UseG1GC', advice)).toBe('-XX:+UseG1GC -XX:MaxRAMPercentage=75.0');
  });

  it('takes the heap size that wins: _JAVA_OPTIONS over the command line over JDK_JAVA_OPTIONS over JAVA_TOOL_OPTIONS, the last in each', () => {
    const both = adviseRuntime(input({ environment: { JAVA_TOOL_OPTIONS: '-Xmx512m', _JAVA_OPTIONS: '-Xmx4g' } }), 2048)!;
    expect(both.currentFlag).toBe('-Xmx4g');
    expect(both.envVar).toBe('_JAVA_OPTIONS');
    expect(both.problems[0]).toBe('-Xmx4g in _JAVA_OPTIONS is not the only heap setting: -Xmx512m in JAVA_TOOL_OPTIONS also sets it: remove those, or they override the fix or take over once it changes.');
    expect(both.removeElsewhere).toEqual([{ envVar: 'JAVA_TOOL_OPTIONS', flag: '-Xmx512m' }]);
    const cmd = adviseRuntime(input({ environment: { JAVA_TOOL_OPTIONS: '-Xmx512m' }, command: ['java', '-Xmx1g', '-Xmx3g', '-jar', 'app.jar'] }), 2048)!;
    expect(cmd.currentFlag).toBe('-Xmx3g');
    expect(cmd.envVar).toBeNull();
    const jdk = adviseRuntime(input({ environment: { JAVA_TOOL_OPTIONS: '-Xmx512m', JDK_JAVA_OPTIONS: '-Xmx700m' } }), 2048)!;
    expect(jdk.currentFlag).toBe('-Xmx700m');
  });

  it('reads Tomcat\'s CATALINA_OPTS over JAVA_OPTS (catalina.sh passes "$JAVA_OPTS" "$CATALINA_OPTS": the last -Xmx wins)', () => {
    const tomcat = adviseRuntime(input({ image: 'tomcat:10.1-jdk21', environment: { JAVA_OPTS: '-Xmx512m', CATALINA_OPTS: '-Xmx900m' } }), 1024)!;
    expect(tomcat.currentFlag).toBe('-Xmx900m');
    expect(tomcat.envVar).toBe('CATALINA_OPTS');
    expect(tomcat.problems[0]).toMatch(/^-Xmx900m in CATALINA_OPTS is not the only heap setting: -Xmx512m in JAVA_OPTS/);
    expect(tomcat.problems.join('\n')).toMatch(/-Xmx900m is 88 % of the 1024 MiB limit/);
    expect(tomcat.removeElsewhere).toEqual([{ envVar: 'JAVA_OPTS', flag: '-Xmx512m' }]);
  });

  it('gives no JVM advice to Keycloak by image: kc.sh sets the heap itself', () => {
    // kc.sh puts its own heap in JAVA_OPTS: a MaxRAMPercentage in JAVA_TOOL_OPTIONS would never take effect.
    expect(adviseRuntime(input({ image: 'quay.io/keycloak/keycloak:26.0' }), 1280)).toMatchObject({ runtime: 'other', recommendedFlag: null, problems: [] });
    // Keycloak with JAVA_OPTS set: kc.sh uses it in place of its own defaults, so the JVM advice goes there.
    const kc = adviseRuntime(input({ image: 'quay.io/keycloak/keycloak:26.0', environment: { JAVA_OPTS: '-Xmx1g' } }), 1280)!;
    expect(kc).toMatchObject({ runtime: 'jvm', currentFlag: '-Xmx1g', envVar: 'JAVA_OPTS', recommendedFlag: '-XX:MaxRAMPercentage=75.0' });
  });

  it('reads Elasticsearch, OpenSearch and Kafka heaps from ES_JAVA_OPTS, OPENSEARCH_JAVA_OPTS, KAFKA_HEAP_OPTS and keeps them at half the limit', () => {
    // elasticsearch-env and opensearch-env unset JAVA_TOOL_OPTIONS, and kafka-run-class.sh puts KAFKA_HEAP_OPTS on the
    // command line: the heap is in the server's own variable, and its vendor keeps it at half the memory at most.
    const es = adviseRuntime(
      input({ image: 'docker.elastic.co/elasticsearch/elasticsearch:8.15.0', environment: { ES_JAVA_OPTS: '-Xms900m -Xmx900m -Des.x=1', JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75' } }),
      1280,
    )!;
    expect(es).toMatchObject({ runtime: 'jvm', envVar: 'ES_JAVA_OPTS', currentFlag: '-Xmx900m', recommendedFlag: '-Xms640m -Xmx640m', alsoRemove: ['-Xms900m'], removeElsewhere: [] });
    expect(es.problems).toEqual([
      '-Xmx900m in ES_JAVA_OPTS is 70 % of the 1280 MiB limit: half of it must stay off the heap, for the filesystem cache and buffers. Set -Xms640m -Xmx640m in ES_JAVA_OPTS (50 %, -Xms = -Xmx).',
    ]);
    expect(applyFlag('-Xms900m -Xmx900m -Des.x=1', es)).toBe('-Des.x=1 -Xms640m -Xmx640m');
    expect(renderRuntimeFlag(es)).toBe('In ES_JAVA_OPTS, replace -Xmx900m with -Xms640m -Xmx640m, and remove -Xms900m');
    // Recognised by the variable whatever the image is called; a heap at half the limit or less is left alone.
    expect(detectRuntime(input({ image: 'mycorp/search:7', environment: { OPENSEARCH_JAVA_OPTS: '-Xms512m -Xmx512m' } }))).toEqual({ runtime: 'jvm', detectedFrom: 'OPENSEARCH_JAVA_OPTS' });
    expect(adviseRuntime(input({ image: 'opensearchproject/opensearch:2.17.0', environment: { OPENSEARCH_JAVA_OPTS: '-Xms512m -Xmx512m' } }), 1280)).toMatchObject({
      currentFlag: '-Xmx512m',
      recommendedFlag: null,
      problems: [],
    });
    // Elasticsearch with no ES_JAVA_OPTS sizes its heap itself (half the memory or less): nothing to say.
    expect(adviseRuntime(input({ image: 'docker.elastic.co/elasticsearch/elasticsearch:8.15.0' }), 1280)).toMatchObject({ runtime: 'jvm', recommendedFlag: null, problems: [] });
    // The largest of -Xms and -Xmx is the heap; every -Xms goes with the fix.
    const kafka = adviseRuntime(input({ image: 'bitnami/kafka:3.8', environment: { KAFKA_HEAP_OPTS: '-Xmx512m -Xms1024m' } }), 1280)!;
    expect(kafka).toMatchObject({ envVar: 'KAFKA_HEAP_OPTS', currentFlag: '-Xmx512m', recommendedFlag: '-Xms640m -Xmx640m', alsoRemove: ['-Xms1024m'] });
    expect(kafka.problems[0]).toMatch(/^-Xms1024m in KAFKA_HEAP_OPTS is 80 % of the 1280 MiB limit: half of it must stay off the heap/);
    // Unset, the start script's default applies: kafka-server-start.sh -Xmx1G, OpenSearch's jvm.options -Xmx1g.
    for (const image of ['confluentinc/cp-kafka:7.7.1', 'apache/kafka:3.8.0', 'opensearchproject/opensearch:2.17.0']) {
      const unset = adviseRuntime(input({ image }), 1280)!;
      expect(unset, image).toMatchObject({ runtime: 'jvm', currentFlag: null, recommendedFlag: '-Xms640m -Xmx640m', alsoRemove: [] });
      expect(unset.problems[0], image).toMatch(/^-Xmx1[Gg] in the default \(no (KAFKA_HEAP_OPTS|OPENSEARCH_JAVA_OPTS)\) is 80 % of the 1280 MiB limit/);
      expect(renderRuntimeFlag(unset), image).toMatch(/^Add -Xms640m -Xmx640m to (KAFKA_HEAP_OPTS|OPENSEARCH_JAVA_OPTS)$/);
      expect(adviseRuntime(input({ image }), 4096), image).toMatchObject({ recommendedFlag: null, problems: [] });
    }
    // GraalVM native Kafka has no JVM heap.
    expect(detectRuntime(input({ image: 'apache/kafka-native:3.8.0' }))).toEqual({ runtime: 'other', detectedFrom: 'image' });
  });

  it('takes a blank server variable as unset, a MaxRAMPercentage where it sizes the heap, and jvm.options\' -Xmx1g unless the variable sets one', () => {
    const at = (image: string, environment: Record<string, string>) => adviseRuntime(input({ image, environment }), 1232)!;
    // kafka-server-start.sh sets -Xmx1G -Xms1G when "x$KAFKA_HEAP_OPTS" = "x": a blank one is unset.
    for (const blank of ['', '  ']) {
      expect(at('apache/kafka:3.8.0', { KAFKA_HEAP_OPTS: blank }).problems[0]).toMatch(/^-Xmx1G in the default \(no KAFKA_HEAP_OPTS\) is 83 % of the 1232 MiB limit/);
      expect(at('opensearchproject/opensearch:2.11.0', { OPENSEARCH_JAVA_OPTS: blank }).problems[0]).toMatch(/^-Xmx1g in the default \(no OPENSEARCH_JAVA_OPTS\) is 83 %/);
    }
    const kafka = at('apache/kafka:3.8.0', { KAFKA_HEAP_OPTS: '-XX:MaxRAMPercentage=90' });
    expect(kafka).toMatchObject({ currentFlag: '-XX:MaxRAMPercentage=90', recommendedFlag: '-Xms616m -Xmx616m', alsoRemove: [] });
    expect(kafka.problems[0]).toMatch(/^-XX:MaxRAMPercentage=90 in KAFKA_HEAP_OPTS is 90 % of the 1232 MiB limit: half of it must stay off the heap/);
    expect(applyFlag('-XX:MaxRAMPercentage=90', kafka)).toBe('-Xms616m -Xmx616m');
    // An -Xmx beats a percentage.
    expect(at('apache/kafka:3.8.0', { KAFKA_HEAP_OPTS: '-Xmx512m -XX:MaxRAMPercentage=90' })).toMatchObject({ recommendedFlag: null, problems: [] });
    // OpenSearch: jvm.options' -Xmx1g holds unless the variable sets an -Xmx, over any percentage.
    const os = at('opensearchproject/opensearch:2.11.0', { OPENSEARCH_JAVA_OPTS: '-Xms512m -XX:MaxRAMPercentage=50' });
    expect(os).toMatchObject({ currentFlag: null, recommendedFlag: '-Xms616m -Xmx616m', alsoRemove: ['-Xms512m'] });
    expect(os.problems[0]).toMatch(/^-Xmx1g in the default \(no -Xmx in OPENSEARCH_JAVA_OPTS\) is 83 %/);
    // Elasticsearch 7.11+ adds its own -Xms/-Xmx over a percentage, unless an -Xms or -Xmx is set.
    expect(at('docker.elastic.co/elasticsearch/elasticsearch:8.12.0', { ES_JAVA_OPTS: '-XX:MaxRAMPercentage=90' })).toMatchObject({ recommendedFlag: null, problems: [] });
    expect(at('docker.elastic.co/elasticsearch/elasticsearch:8.12.0', { ES_JAVA_OPTS: '-Xms256m -XX:MaxRAMPercentage=90' }).problems[0]).toMatch(
      /^-XX:MaxRAMPercentage=90 in ES_JAVA_OPTS is 90 %/,
    );
  });

  it('gives Elasticsearch 6.0 to 7.10 the -Xmx1g of their jvm.options; from 7.11, or with an unknown tag, it sizes its heap itself', () => {
    for (const tag of ['7.10.2', '6.8.23']) {
      const old = adviseRuntime(input({ image: `docker.elastic.co/elasticsearch/elasticsearch:${tag}` }), 1232)!;
      expect(old, tag).toMatchObject({ envVar: 'ES_JAVA_OPTS', currentFlag: null, recommendedFlag: '-Xms616m -Xmx616m' });
      expect(old.problems[0], tag).toMatch(/^-Xmx1g in the default \(no ES_JAVA_OPTS\) is 83 % of the 1232 MiB limit/);
      expect(adviseRuntime(input({ image: `elasticsearch:${tag}`, environment: { ES_JAVA_OPTS: '-Xms512m -Xmx512m' } }), 1232), tag).toMatchObject({ recommendedFlag: null });
      expect(adviseRuntime(input({ image: `elasticsearch:${tag}`, environment: { ES_JAVA_OPTS: ' ' } }), 1232)?.problems[0], tag).toMatch(/^-Xmx1g in the default \(no ES_JAVA_OPTS\)/);
    }
    for (const image of ['docker.elastic.co/elasticsearch/elasticsearch:7.11.0', 'elasticsearch:latest', 'elasticsearch']) {
      expect(adviseRuntime(input({ image }), 1232), image).toMatchObject({ runtime: 'jvm', recommendedFlag: null, problems: [] });
    }
  });

  it('reads a server variable only for the server: a command that runs java itself does not read KAFKA_HEAP_OPTS', () => {
    const env = { KAFKA_HEAP_OPTS: '-Xmx2g', JAVA_TOOL_OPTIONS: '-Xmx900m' };
    expect(adviseRuntime(input({ image: 'mycorp/app:1', command: ['java', '-jar', 'app.jar'], environment: env }), 1232)).toMatchObject({ envVar: 'JAVA_TOOL_OPTIONS', currentFlag: '-Xmx900m' });
    expect(adviseRuntime(input({ image: 'mycorp/app:1', command: ['/opt/kafka/bin/kafka-server-start.sh', 'server.properties'], environment: env }), 1232)).toMatchObject({ envVar: 'KAFKA_HEAP_OPTS' });
    expect(adviseRuntime(input({ image: 'apache/kafka:3.8.0', command: ['java', '-jar', 'x.jar'], environment: env }), 1232)).toMatchObject({ envVar: 'KAFKA_HEAP_OPTS' });
  });

  it('gives a buildpack (Paketo, bootBuildImage) image no heap flag, only headroom: its memory calculator overrides a percentage and fails the start on a too-big -Xmx', () => {
    // Detected by its launch-time BPL_JVM_*/BPL_JAVA_* variables, whatever the image is called; not by BPL_DEBUG_*
    // (Paketo's Node buildpack reads those) nor by build-time BPE_* ones.
    expect(detectRuntime(input({ image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:1.4.2', environment: { BPL_JVM_THREAD_COUNT: '100' } }))).toEqual({ runtime: 'jvm', detectedFrom: 'BPL_JVM_THREAD_COUNT' });
    expect(detectRuntime(input({ image: 'node:20-slim', environment: { BPL_DEBUG_ENABLED: 'true', NODE_OPTIONS: '--enable-source-maps' } }))).toEqual({ runtime: 'node', detectedFrom: 'NODE_OPTIONS' });
    expect(detectRuntime(input({ command: ['node', 'server.js'], environment: { BPE_DEFAULT_TZ: 'UTC' } }))).toEqual({ runtime: 'node', detectedFrom: 'command' });
    const headroom =
      'A buildpack image: its memory calculator sizes the heap at start, with no headroom by default, over any percentage flag: set BPL_JVM_HEAD_ROOM=10 to 25.';
    // The calculator appends -Xmx = limit - (metaspace + 240 MiB code cache + threads x 1 MiB + 10 MiB direct) - headroom
    // unless the user set one, and a user -Xmx that leaves less than that estimate stops the start ("fixed memory regions
    // require ..."): a 75 % -Xmx in a 1280 MiB container would not start, a percentage would be overridden.
    for (const [env, limit] of [
      [{ BPL_JVM_THREAD_COUNT: '100' }, 1280],
      [{ JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=90', BPL_JVM_HEAD_ROOM: '0' }, 4096],
      [{ BPL_JVM_THREAD_COUNT: '100' }, null],
    ] as const) {
      const advice = adviseRuntime(input({ image: 'orders:1.4.2', environment: env }), limit)!;
      expect(advice, JSON.stringify(env)).toMatchObject({ runtime: 'jvm', recommendedFlag: null, alsoRemove: [], removeElsewhere: [], problems: [headroom] });
    }
    // A user -Xmx is kept by the calculator, which gives native memory only what is left: it is named, to remove.
    const fixed = adviseRuntime(input({ environment: { JAVA_TOOL_OPTIONS: '-Xmx1000m', BPL_JVM_THREAD_COUNT: '100' } }), 1280)!;
    expect(fixed).toMatchObject({ currentFlag: '-Xmx1000m', recommendedFlag: null });
    expect(fixed.problems).toEqual([
      'A buildpack image: its memory calculator keeps -Xmx1000m, leaving native memory the rest: remove it and set BPL_JVM_HEAD_ROOM=10 to 25.',
    ]);
  });

  it('reads only the launcher\'s own options in the command: program arguments and unread script variables do not count', () => {
    // -Xmx4g after -jar app.jar is an argument to the application, not to the JVM.
    const args = adviseRuntime(input({ environment: { JAVA_TOOL_OPTIONS: '-Xmx512m' }, command: ['java', '-jar', 'app.jar', '-Xmx4g'] }), 2048)!;
    expect(args.currentFlag).toBe('-Xmx512m');
    expect(args.envVar).toBe('JAVA_TOOL_OPTIONS');
    // `java -jar` never reads JAVA_OPTS; a start script does.
    const direct = adviseRuntime(input({ environment: { JAVA_OPTS: '-Xmx4g', JAVA_TOOL_OPTIONS: '-Xmx700m' }, command: ['java', '-jar', 'app.jar'] }), 2048)!;
    expect(direct.currentFlag).toBe('-Xmx700m');
    const script = adviseRuntime(input({ environment: { JAVA_OPTS: '-Xmx4g', JAVA_TOOL_OPTIONS: '-Xmx700m' }, command: ['catalina.sh', 'run'] }), 2048)!;
    expect(script.currentFlag).toBe('-Xmx4g');
    // A shell-form command is split into tokens.
    const shell = adviseRuntime(input({ entryPoint: ['sh', '-c'], command: ['exec java -Xmx1g -cp /app/lib/* com.example.Main --port 8080'] }), 2048)!;
    expect(shell).toMatchObject({ currentFlag: '-Xmx1g', envVar: null });
    // With no flag and a direct `java`, the fix goes to a variable the JVM reads, not JAVA_OPTS.
    const none = adviseRuntime(input({ environment: { JAVA_OPTS: '-server' }, command: ['java', '-jar', 'app.jar'] }), 2048)!;
    expect(none.envVar).toBe('JAVA_TOOL_OPTIONS');
  });

  it('expands $VAR in shell commands and reads the real command shapes (argfiles, options with values, quoted exec-form elements)', () => {
    const viaVar = adviseRuntime(input({ environment: { JAVA_OPTS: '-Xmx3g -XX:+UseG1GC' }, entryPoint: ['sh', '-c'], command: ['exec java $JAVA_OPTS -jar /app.jar'] }), 2048)!;
    expect(viaVar).toMatchObject({ currentFlag: '-Xmx3g', envVar: 'JAVA_OPTS' });
    expect(viaVar.problems.join(' ')).not.toMatch(/not the only heap setting/);
    const braces = adviseRuntime(input({ environment: { JAVA_OPTS: '-Xmx3g' }, command: ['sh', '-c', 'java ${JAVA_OPTS} -jar /app.jar'] }), 2048)!;
    expect(braces.currentFlag).toBe('-Xmx3g');
    const cases: [Partial<RuntimeInput>, string][] = [
      [{ command: ['java', '@/app/jvm.options', '-Xmx3g', '-jar', 'app.jar'] }, '-Xmx3g'],
      [{ command: ['java', '-XX:OnOutOfMemoryError=kill -9 %p', '-Xmx2g', '-jar', 'app.jar'] }, '-Xmx2g'],
      [{ command: ['java', '--add-modules', 'jdk.incubator.vector', '-Xmx2g', '-jar', 'app.jar'] }, '-Xmx2g'],
      [{ command: ['/opt/java/openjdk/bin/java', '-Xmx1g', 'com.example.Main'] }, '-Xmx1g'],
      [{ entryPoint: ['sh', '-c'], command: ['java "-Xmx3g" -jar app.jar'] }, '-Xmx3g'],
    ];
    for (const [over, flag] of cases) expect(adviseRuntime(input(over), 8192)!.currentFlag, JSON.stringify(over)).toBe(flag);
    const title = adviseRuntime(input({ command: ['node', '--title', 'api', '--max-old-space-size=512', 'app.js'] }), 1024)!;
    expect(title.currentFlag).toBe('--max-old-space-size=512');
    // Quotes group words inside a shell string; a variable inside a word belongs to the command.
    const quoted = adviseRuntime(input({ entryPoint: ['sh', '-c'], command: ['exec java -XX:OnOutOfMemoryError="kill -9 %p" -Xmx3g -jar app.jar'] }), 2048)!;
    expect(quoted.currentFlag).toBe('-Xmx3g');
    const inWord = adviseRuntime(input({ environment: { HEAP: '3g' }, entryPoint: ['sh', '-c'], command: ['exec java -Xmx${HEAP} -jar app.jar'] }), 2048)!;
    expect(inWord).toMatchObject({ currentFlag: '-Xmx3g', envVar: null });
    // ${VAR:-default} expands, and a quoted "$VAR" still belongs to the variable.
    const dflt = adviseRuntime(input({ entryPoint: ['sh', '-c'], command: ['exec java ${JAVA_OPTS:-} -Xmx3g -jar app.jar'] }), 2048)!;
    expect(dflt.currentFlag).toBe('-Xmx3g');
    // An unset variable's default is written in the command: the fix goes to the command, not to the variable.
    const unsetDefault = adviseRuntime(input({ entryPoint: ['sh', '-c'], command: ['exec java ${JAVA_OPTS:--Xmx2g -Dpw=S} -jar app.jar'] }), 2048)!;
    expect(unsetDefault).toMatchObject({ currentFlag: '-Xmx2g', envVar: null });
    const quotedVar = adviseRuntime(input({ environment: { JAVA_OPTS: '-Xmx3g' }, entryPoint: ['sh', '-c'], command: ['exec java "$JAVA_OPTS" -jar app.jar'] }), 2048)!;
    expect(quotedVar).toMatchObject({ currentFlag: '-Xmx3g', envVar: 'JAVA_OPTS' });
    // A command that expands to a huge number of words is cut, not a crash.
    const huge = input({ environment: { A: 'x '.repeat(1000) }, entryPoint: ['sh', '-c'], command: ['java ' + '$A '.repeat(1500)] });
    expect(() => adviseRuntime(huge, 2048)).not.toThrow();
    // Node: a flag expanded from a variable is fixed in that variable (it overrides NODE_OPTIONS).
    const nodeVar = adviseRuntime(input({ environment: { NODE_ARGS: '--max-old-space-size=4096' }, entryPoint: ['sh', '-c'], command: ['node $NODE_ARGS dist/main.js'] }), 2048)!;
    expect(nodeVar).toMatchObject({ currentFlag: '--max-old-space-size=4096', envVar: 'NODE_ARGS' });
  });

  it('orders the sources as the JVM and Node do: _JAVA_OPTIONS > command line > JDK_JAVA_OPTIONS; the last occurrence within one', () => {
    const underscore = adviseRuntime(input({ environment: { _JAVA_OPTIONS: '-Xmx1g' }, command: ['java', '-Xmx3g', '-jar', 'a.jar'] }), 4096)!;
    expect(underscore).toMatchObject({ currentFlag: '-Xmx1g', envVar: '_JAVA_OPTIONS' });
    const cmdOverJdk = adviseRuntime(input({ environment: { JDK_JAVA_OPTIONS: '-Xmx1g' }, command: ['java', '-Xmx3g', '-jar', 'a.jar'] }), 4096)!;
    expect(cmdOverJdk).toMatchObject({ currentFlag: '-Xmx3g', envVar: null });
    const lastInVar = adviseRuntime(input({ environment: { JAVA_TOOL_OPTIONS: '-Xmx1g -Xmx2g' }, command: ['java', '-jar', 'a.jar'] }), 4096)!;
    expect(lastInVar.currentFlag).toBe('-Xmx2g');
    const lastInNode = adviseRuntime(input({ environment: { NODE_OPTIONS: '--max-old-space-size=500 --max-old-space-size=700' }, command: ['node', 'a.js'] }), 1024)!;
    expect(lastInNode.currentFlag).toBe('--max-old-space-size=700');
    const script = adviseRuntime(input({ environment: { JAVA_TOOL_OPTIONS: '-Xmx700m' }, command: ['/app/start.sh', 'serve', '-Xmx4g'] }), 8192)!;
    expect(script.problems.join(' ')).toContain('-Xmx4g is in the command, which counts only if the container\'s start script passes it on');
  });

  it('reads JVM sizes', () => {
    expect(parseJvmSize('2g')).toBe(2048);
    expect(parseJvmSize('768m')).toBe(768);
    expect(parseJvmSize('1048576k')).toBe(1024);
    expect(parseJvmSize('x')).toBeNull();
  });
});

describe('Node', () => {
  it('flags --max-old-space-size above 80 % of the limit and gives 75 %', () => {
    const advice = adviseRuntime(input({ environment: { NODE_OPTIONS: '--max-old-space-size=1800 --enable-source-maps' } }), 2048)!;
    expect(advice.currentFlag).toBe('--max-old-space-size=1800');
    expect(advice.recommendedFlag).toBe('--max-old-space-size=1536');
    expect(applyFlag('--max-old-space-size=1800 --enable-source-maps', advice)).toBe('--enable-source-maps --max-old-space-size=1536');
    expect(advice.profiling).toMatch(/--heapsnapshot-near-heap-limit/);
  });

  it('reads --max_old_space_size (Node takes underscores too), and the command line over NODE_OPTIONS', () => {
    const under = adviseRuntime(input({ environment: { NODE_OPTIONS: '--max_old_space_size=4096' } }), 1024)!;
    expect(under.currentFlag).toBe('--max_old_space_size=4096');
    expect(under.problems[0]).toMatch(/400 % of the 1024 MiB limit/);
    expect(applyFlag('--max_old_space_size=4096', under)).toBe('--max-old-space-size=768');
    const cmd = adviseRuntime(input({ environment: { NODE_OPTIONS: '--max-old-space-size=700' }, command: ['node', '--max-old-space-size=3000', 'server.js'] }), 1024)!;
    expect(cmd.currentFlag).toBe('--max-old-space-size=3000');
    // After the script, it is the script's own argument: NODE_OPTIONS is what V8 uses.
    const scriptArg = adviseRuntime(input({ environment: { NODE_OPTIONS: '--max-old-space-size=700' }, command: ['node', 'server.js', '--max-old-space-size=8192'] }), 1024)!;
    expect(scriptArg).toMatchObject({ currentFlag: '--max-old-space-size=700', envVar: 'NODE_OPTIONS' });
    expect(cmd.envVar).toBeNull();
  });

  it('asks for the flag when none is set', () => {
    const advice = adviseRuntime(input({ image: 'node:22-alpine' }), 1024)!;
    expect(advice.recommendedFlag).toBe('--max-old-space-size=768');
    // Node hands V8 the cgroup limit (v1 since 12, v2 since 20.3), and V8 takes a quarter of it (nodejs/node#27508).
    expect(advice.problems[0]).toBe("No --max-old-space-size: V8 takes a quarter of the memory it sees (the host's, on Node before 20.3 with cgroup v2). Set --max-old-space-size=768 (75 % of 1024 MiB) in NODE_OPTIONS.");
  });
});

describe('pm2', () => {
  it('reads --node-args (both forms) and divides the heap by -i / --instances: each instance has its own heap', () => {
    expect(detectRuntime(input({ image: 'keymetrics/pm2:18-alpine' }))).toEqual({ runtime: 'node', detectedFrom: 'image' });
    expect(detectRuntime(input({ command: ['pm2-runtime', 'app.js'] }))).toEqual({ runtime: 'node', detectedFrom: 'command' });
    // pm2 puts --node-args on each node's command line, over NODE_OPTIONS.
    for (const command of [
      ['pm2-runtime', 'app.js', '-i', '4', '--node-args=--max-old-space-size=900'],
      ['pm2', 'start', 'app.js', '--no-daemon', '--instances', '4', '--node-args', '--max-old-space-size=900 --expose-gc'],
      ['sh', '-c', 'pm2-runtime start app.js -i 4 --node-args="--max-old-space-size=900 --expose-gc"'],
    ]) {
      const advice = adviseRuntime(input({ command, environment: { NODE_OPTIONS: '--max-old-space-size=300' } }), 1280)!;
      expect(advice, command.join(' ')).toMatchObject({ runtime: 'node', currentFlag: '--max-old-space-size=900', envVar: null, recommendedFlag: '--max-old-space-size=240' });
      expect(advice.problems, command.join(' ')).toEqual([
        '--max-old-space-size=900 × 4 pm2 instances (-i) is 281 % of the 1280 MiB limit: V8 will grow the heap past what the container can hold. Use --max-old-space-size=240 in --node-args.',
      ]);
    }
    // One instance: the flag in --node-args is still the one in effect, and the fix goes there.
    const one = adviseRuntime(input({ command: ['pm2-runtime', 'app.js', '--node-args=--max-old-space-size=1200'], environment: { NODE_OPTIONS: '--max-old-space-size=300' } }), 1280)!;
    expect(one).toMatchObject({ currentFlag: '--max-old-space-size=1200', envVar: null, recommendedFlag: '--max-old-space-size=960' });
    expect(one.problems[0]).toMatch(/is 94 % of the 1280 MiB limit: .* Use --max-old-space-size=960 in --node-args\.$/);
    // No flag: each instance reads NODE_OPTIONS, so the share per instance goes there.
    const none = adviseRuntime(input({ image: 'keymetrics/pm2:18-alpine', command: ['pm2-runtime', 'app.js', '-i', '2'] }), 1280)!;
    expect(none).toMatchObject({ recommendedFlag: '--max-old-space-size=480', envVar: 'NODE_OPTIONS' });
    expect(none.problems[0]).toMatch(/Set --max-old-space-size=480 \(75 % of 1280 MiB \/ 2 pm2 instances \(-i\), each with its own heap\) in NODE_OPTIONS\.$/);
    // -i max (or 0; -1: all but one): one per CPU, a number the task definition does not tell: no value, only how to size it.
    for (const [i, cpus] of [['max', 'each CPU it sees'], ['0', 'each CPU it sees'], ['-1', 'each CPU it sees but one']] as const) {
      const max = adviseRuntime(input({ command: ['pm2-runtime', 'app.js', '-i', i, '--node-args=--max-old-space-size=900'] }), 1280)!;
      expect(max, i).toMatchObject({ currentFlag: '--max-old-space-size=900', recommendedFlag: null });
      expect(max.problems, i).toEqual([
        `pm2 -i ${i} runs one instance on ${cpus} (the host's, on EC2), each with its own heap: give -i a number and set --max-old-space-size to 75 % of 1280 MiB divided by it.`,
      ]);
    }
  });

  it('gives no value when a process file (ecosystem.config.js, process.json, .yml) sets instances and node_args', () => {
    for (const [command, file] of [
      [['pm2-runtime', 'start', 'ecosystem.config.js'], 'ecosystem.config.js'],
      [['pm2', 'start', 'process.json', '--no-daemon'], 'process.json'],
      [['pm2-runtime', 'ecosystem.config.cjs', '--env', 'production'], 'ecosystem.config.cjs'],
      [['sh', '-c', 'exec pm2-runtime start /app/pm2.yml'], '/app/pm2.yml'],
    ] as const) {
      const advice = adviseRuntime(input({ command: [...command], environment: { NODE_OPTIONS: '--max-old-space-size=300' } }), 1232)!;
      expect(advice, file).toMatchObject({ runtime: 'node', recommendedFlag: null });
      expect(advice.problems, file).toEqual([
        `pm2 takes instances and node_args from ${file}, not the command: in its node_args, set --max-old-space-size to 75 % of 1232 MiB divided by its instances.`,
      ]);
    }
    // A script is not a process file, nor is an option's value that looks like one (only the start target counts).
    expect(adviseRuntime(input({ command: ['pm2-runtime', 'start', 'app.js'] }), 1232)).toMatchObject({ recommendedFlag: '--max-old-space-size=924', envVar: 'NODE_OPTIONS' });
    expect(adviseRuntime(input({ command: ['pm2-runtime', 'start', 'app.js', '--log', '/var/log/app.json'] }), 1232)).toMatchObject({ recommendedFlag: '--max-old-space-size=924' });
    expect(adviseRuntime(input({ command: ['pm2-runtime', 'start', 'server.js', '-i', '4', '--name', 'api.json'] }), 1232)).toMatchObject({ recommendedFlag: '--max-old-space-size=231' });
  });

  it('reads --node-args when node runs pm2 itself, and nothing after pm2\'s --', () => {
    const direct = adviseRuntime(
      input({ command: ['node', 'node_modules/.bin/pm2-runtime', 'start', 'app.js', '-i', '2', '--node-args=--max-old-space-size=1024'], environment: { NODE_OPTIONS: '--max-old-space-size=300' } }),
      1232,
    )!;
    expect(direct).toMatchObject({ currentFlag: '--max-old-space-size=1024', envVar: null, recommendedFlag: '--max-old-space-size=462' });
    expect(direct.problems[0]).toMatch(/^--max-old-space-size=1024 × 2 pm2 instances \(-i\) is 166 % of the 1232 MiB limit: .* Use --max-old-space-size=462 in --node-args\.$/);
    // After `--`, the words are the app's arguments.
    const args = adviseRuntime(input({ command: ['pm2-runtime', 'start', 'app.js', '--', '-i', '8', '--node-args=--max-old-space-size=4096', 'ecosystem.config.js'] }), 1232)!;
    expect(args).toMatchObject({ currentFlag: null, recommendedFlag: '--max-old-space-size=924', envVar: 'NODE_OPTIONS' });
    expect(args.problems[0]).toMatch(/\(75 % of 1232 MiB\) in NODE_OPTIONS\.$/);
  });

  it('takes pm2 with an --interpreter other than node for another runtime', () => {
    const env = { NODE_OPTIONS: '--max-old-space-size=300' };
    expect(detectRuntime(input({ image: 'node:20', command: ['pm2-runtime', 'start', 'app.py', '--interpreter', 'python3'], environment: env }))).toEqual({ runtime: 'python', detectedFrom: 'command' });
    expect(detectRuntime(input({ image: 'node:20', command: ['pm2-runtime', 'start', 'run.sh', '--interpreter=bash'], environment: env }))).toEqual({ runtime: 'other', detectedFrom: 'image' });
    // node named as the interpreter is still Node, and not the launcher: --node-args is read.
    const node = adviseRuntime(input({ command: ['pm2-runtime', 'start', 'app.js', '--interpreter', 'node', '--node-args=--max-old-space-size=1200'] }), 1232)!;
    expect(node).toMatchObject({ runtime: 'node', currentFlag: '--max-old-space-size=1200', envVar: null });
  });
});

describe('Python and others', () => {
  it('gives tracemalloc for Python and no flag', () => {
    const advice = adviseRuntime(input({ image: 'python:3.12' }), 1024)!;
    expect(advice.recommendedFlag).toBeNull();
    expect(advice.profiling).toMatch(/tracemalloc/);
  });

  it('notes a gunicorn, uvicorn or celery worker pool: each worker is a process with its own copy of the app', () => {
    const note = (over: Partial<RuntimeInput>, limit: number | null = 1280) => adviseRuntime(input(over), limit)!.problems;
    const gunicorn =
      'gunicorn runs 4 workers, each a process with its own copy of the app: memory grows with their number, at most 320 MiB each under the 1280 MiB limit. ' +
      'Recycle leaking workers with --max-requests and --max-requests-jitter, share the loaded app copy-on-write with --preload, or run fewer (-w).';
    expect(note({ command: ['gunicorn', '-w', '4', '-b', '0.0.0.0:8000', 'app:app'] })).toEqual([gunicorn]);
    expect(note({ command: ['sh', '-c', 'exec gunicorn --workers=4 app:app'] })).toEqual([gunicorn]);
    expect(note({ command: ['gunicorn', '-w4', 'app:app'] })).toEqual([gunicorn]);
    // gunicorn and uvicorn take WEB_CONCURRENCY when the option is absent, and one worker without it: nothing to say.
    expect(note({ command: ['gunicorn', 'app:app'], environment: { WEB_CONCURRENCY: '4' } })).toEqual([gunicorn]);
    expect(note({ command: ['gunicorn', '-w', '1', 'app:app'], environment: { WEB_CONCURRENCY: '4' } })).toEqual([]);
    expect(note({ command: ['gunicorn', 'app:app'] })).toEqual([]);
    expect(note({ command: ['uvicorn', 'main:app', '--workers', '2'] })).toEqual([
      'uvicorn runs 2 workers, each a process with its own copy of the app: memory grows with their number, at most 640 MiB each under the 1280 MiB limit. Run fewer (--workers).',
    ]);
    const celery = 'Recycle children with --max-tasks-per-child or --max-memory-per-child (KiB), or run fewer (-c).';
    expect(note({ command: ['python', '-m', 'celery', '-A', 'proj', 'worker', '--concurrency', '8'] })).toEqual([
      `celery runs 8 workers, each a process with its own copy of the app: memory grows with their number, at most 160 MiB each under the 1280 MiB limit. ${celery}`,
    ]);
    // Without -c celery starts one child per CPU it sees: a number the task definition does not tell.
    expect(note({ command: ['celery', '-A', 'proj', 'worker', '-l', 'INFO'] }, null)).toEqual([
      `celery runs one worker per CPU it sees (the host's, on EC2), each a process with its own copy of the app: memory grows with their number. ${celery}`,
    ]);
    // --autoscale=MAX,MIN runs up to MAX children.
    for (const command of [['celery', '-A', 'proj', 'worker', '--autoscale=10,3'], ['celery', '-A', 'proj', 'worker', '-c', '2', '--autoscale', '10,3']]) {
      expect(note({ command })[0], command.join(' ')).toMatch(/^celery runs 10 workers, .* at most 128 MiB each/);
    }
    // celery beat runs no pool; gunicorn's -c is its config file, not a count.
    expect(note({ command: ['celery', '-A', 'proj', 'beat'] })).toEqual([]);
    expect(note({ command: ['gunicorn', '-c', 'gunicorn.conf.py', 'app:app'] })).toEqual([]);
    expect(adviseRuntime(input({ command: ['gunicorn', '-w', '4', 'app:app'] }), 1280)).toMatchObject({ runtime: 'python', recommendedFlag: null, envVar: null });
  });

  it('gives no pool note to celery\'s gevent, eventlet, threads and solo pools (one process), nor to a celery command other than worker', () => {
    const note = (command: string[]) => adviseRuntime(input({ command }), 1232)!.problems;
    for (const pool of [['-P', 'gevent'], ['-Peventlet'], ['--pool=threads'], ['--pool', 'solo']]) {
      expect(note(['celery', '-A', 'proj', 'worker', ...pool, '-c', '100']), pool.join(' ')).toEqual([]);
    }
    expect(note(['celery', '-A', 'proj', 'worker', '-P', 'prefork', '-c', '4'])[0]).toMatch(/^celery runs 4 workers/);
    // --pool-restarts is not a pool.
    expect(note(['celery', '-A', 'proj', 'worker', '--pool-restarts', '-c', '4'])[0]).toMatch(/^celery runs 4 workers/);
    // The subcommand is the first word that is not a global option or its value: an app named worker runs beat.
    expect(note(['celery', '-A', 'worker', 'beat'])).toEqual([]);
    expect(note(['celery', '--app=worker', '-b', 'redis://r:6379/0', 'beat'])).toEqual([]);
    expect(note(['celery', '-A', 'proj', '-b', 'redis://r:6379/0', '-q', 'worker', '-c', '2'])[0]).toMatch(/^celery runs 2 workers/);
  });

  it('reads gunicorn\'s GUNICORN_CMD_ARGS before the command\'s own options', () => {
    const note = (command: string[]) => adviseRuntime(input({ command, environment: { GUNICORN_CMD_ARGS: '--bind=0.0.0.0:8000 --workers=4' } }), 1232)!.problems;
    expect(note(['gunicorn', 'app:app'])[0]).toMatch(/^gunicorn runs 4 workers, .* at most 308 MiB each/);
    expect(note(['gunicorn', '-w', '2', 'app:app'])[0]).toMatch(/^gunicorn runs 2 workers/);
  });

  it('has no advice for an unknown runtime', () => {
    expect(adviseRuntime(input({ image: 'nginx:1.27' }), 512)).toMatchObject({ runtime: 'other', recommendedFlag: null });
  });
});

describe('Go', () => {
  it.each([
    'golang:1.23-alpine', 'public.ecr.aws/aws-observability/aws-otel-collector:v0.43.1', 'otel/opentelemetry-collector-contrib:0.115.0', 'otel/opentelemetry-collector-k8s:0.115.0',
    'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest', 'amazon/aws-xray-daemon:3.x', 'traefik:v3.2', 'caddy:2', 'hashicorp/consul:1.20', 'coredns/coredns:1.11.1',
    'quay.io/coreos/etcd:v3.5.17', 'minio/minio:latest', 'prom/prometheus:v3.0.0', 'prom/node-exporter:v1.8.2', 'prom/alertmanager', 'quay.io/thanos/thanos:v0.36.1',
    'grafana/loki:3.3.0', 'grafana/promtail:3.3.0', 'grafana/alloy:v1.5.1', 'telegraf:1.32', 'cloudflare/cloudflared:2024.12.0',
  ])('%s is Go', (image) => {
    expect(detectRuntime(input({ image }))).toEqual({ runtime: 'go', detectedFrom: 'image' });
  });

  it('does not take a JVM, Node or Python container because a Go variable is set, nor a Java exporter or a tag that says golang', () => {
    expect(detectRuntime(input({ image: 'eclipse-temurin:21', environment: { GOMAXPROCS: '2' } }))?.runtime).toBe('jvm');
    expect(detectRuntime(input({ image: 'node:20', environment: { GOGC: '50' } }))?.runtime).toBe('node');
    expect(detectRuntime(input({ image: 'python:3.12', environment: { GOMEMLIMIT: '1GiB' } }))?.runtime).toBe('python');
    expect(detectRuntime(input({ image: 'mycorp/api:1', environment: { GOMEMLIMIT: '1GiB' } }))).toEqual({ runtime: 'go', detectedFrom: 'GOMEMLIMIT' });
    expect(detectRuntime(input({ environment: { GOGC: '50' } }))).toEqual({ runtime: 'go', detectedFrom: 'GOGC' });
    expect(detectRuntime(input({ image: 'sscaling/jmx-prometheus-exporter:0.12.0' }))?.runtime).toBe('other');
    expect(detectRuntime(input({ image: 'mycorp/builder:build-golang' }))?.runtime).toBe('other');
    expect(detectRuntime(input({ image: 'mycorp/otelcollector-app:1' }))?.runtime).toBe('other');
    // Not every image of a Go shop's organisation is Go: Grafana's renderer is Node, OnCall Python, Jaeger's Spark job Java.
    for (const image of ['grafana/grafana-image-renderer:3.11.6', 'grafana/oncall:v1.13', 'jaegertracing/spark-dependencies:latest']) {
      expect(detectRuntime(input({ image }))?.runtime).not.toBe('go');
    }
  });

  it('reads GOMEMLIMIT the way the Go runtime does: whole numbers with B/KiB/MiB/GiB/TiB within an int64; off and empty are no limit', () => {
    expect(parseGoMemLimit('900MiB')).toBe(900 * 1024 ** 2);
    expect(parseGoMemLimit('2GiB')).toBe(2 * 1024 ** 3);
    expect(parseGoMemLimit('1048576')).toBe(1024 ** 2);
    expect(parseGoMemLimit('512B')).toBe(512);
    expect(parseGoMemLimit('+512MiB')).toBe(512 * 1024 ** 2);
    expect(parseGoMemLimit('-0')).toBe(0);
    expect(parseGoMemLimit('off')).toBe(Number.POSITIVE_INFINITY);
    expect(parseGoMemLimit('')).toBe(Number.POSITIVE_INFINITY);
    for (const bad of ['900MB', '1.5GiB', '2g', '2 GiB', ' 2GiB', '2GiB ', '-1', 'GiB', '900mib', 'OFF', '9999999TiB', '9'.repeat(400)]) expect(parseGoMemLimit(bad)).toBeNull();
  });

  it('asks for GOMEMLIMIT at 90 % of the limit when none is set: the runtime does not read the container limit', () => {
    const advice = adviseRuntime(input({ image: 'public.ecr.aws/docker/library/golang:1.23' }), 2048)!;
    expect(advice).toMatchObject({ runtime: 'go', envVar: 'GOMEMLIMIT', currentFlag: null, recommendedFlag: '1843MiB' });
    expect(advice.problems[0]).toBe("No GOMEMLIMIT: Go does not read the container's limit, and grows the heap to 2× the live heap before it collects. Set GOMEMLIMIT=1843MiB (90 % of 2048 MiB).");
    expect(adviseRuntime(input({ image: 'golang:1', environment: { GOGC: '50' } }), 2048)!.problems[0]).toMatch(/1\.5× the live heap/);
    expect(adviseRuntime(input({ image: 'golang:1', environment: { GOMEMLIMIT: 'off' } }), 2048)).toMatchObject({ currentFlag: 'off', recommendedFlag: '1843MiB' });
    expect(advice.profiling).toMatch(/pprof/);
  });

  it('replaces a GOMEMLIMIT above 95 % of the limit or more than 10 points under the target, and leaves one in between', () => {
    const at = (value: string, limit = 2048, image = 'golang:1') => adviseRuntime(input({ image, environment: { GOMEMLIMIT: value } }), limit)!;
    const high = at('2GiB');
    expect(high).toMatchObject({ currentFlag: '2GiB', recommendedFlag: '1843MiB' });
    expect(high.problems[0]).toMatch(/GOMEMLIMIT=2GiB is 100 % of the 2048 MiB limit: no room for memory Go does not manage/);
    expect(at('1950MiB').problems[0]).toMatch(/GOMEMLIMIT=1950MiB is 95 % .*Use GOMEMLIMIT=1843MiB/); // 95.2 %
    expect(at('1945MiB').recommendedFlag).toBeNull(); // 94.97 %
    expect(at('1639MiB').recommendedFlag).toBeNull(); // 80.03 %: within 10 points of 90 %
    expect(at('1638MiB').problems[0]).toMatch(/GOMEMLIMIT=1638MiB is 80 % of the 2048 MiB limit: the GC works as if the container were smaller. Use GOMEMLIMIT=1843MiB/);
    expect(at('900MiB').recommendedFlag).toBe('1843MiB');
    // An OpenTelemetry Collector: 80 %, as its documentation asks; a collector set up that way is left alone.
    const collector = 'otel/opentelemetry-collector-contrib:0.115.0';
    expect(at('409MiB', 512, collector).recommendedFlag).toBeNull();
    expect(at('300MiB', 512, collector)).toMatchObject({ recommendedFlag: '409MiB' });
    expect(at('300MiB', 512, collector).problems[0]).toMatch(/\(80 % of 512 MiB, as the Collector docs ask\)/);
  });

  it('gives no value for a malformed GOMEMLIMIT (a Go program would not have started), never printing it; reads GOGC off', () => {
    const bad = adviseRuntime(input({ environment: { GOMEMLIMIT: 'hunter2MB' } }), 1024)!;
    expect(bad).toMatchObject({ currentFlag: null, recommendedFlag: null });
    expect(bad.problems[0]).toMatch(/^GOMEMLIMIT is not a value Go accepts \(a Go program would not start with it\): the killed process did not read it/);
    expect(JSON.stringify(bad)).not.toContain('hunter2');
    for (const off of ['off', '-1']) {
      expect(adviseRuntime(input({ environment: { GOGC: off } }), 1024)!.problems[0]).toMatch(/any size \(GOGC is off\)/);
    }
    // Go reads only `off`: `OFF` is not a number, so the default 100.
    expect(adviseRuntime(input({ environment: { GOGC: 'OFF' } }), 1024)!.problems[0]).toMatch(/2× the live heap/);
  });

  it('gives no value without a limit to size it from; a collector also gets the memory_limiter', () => {
    expect(adviseRuntime(input({ image: 'traefik:v3' }), null)).toMatchObject({ runtime: 'go', recommendedFlag: null, problems: [] });
    const adot = adviseRuntime(input({ image: 'public.ecr.aws/aws-observability/aws-otel-collector:latest' }), 512)!;
    expect(adot.recommendedFlag).toBe('409MiB');
    expect(adot.problems[1]).toMatch(/memory_limiter processor first in every pipeline/);
  });
});
