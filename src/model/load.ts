import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type * as z from 'zod';
import { ALL_COMPONENT_NAMES, SIGNAL_ENGINES, engine, knownVersions, versionLine, type ComponentFacts } from '../catalog/index.js';
import { JAEGER_UNMANAGED_ONLY } from '../catalog/jaeger.js';
import { DefinitionError, closest, didYouMean, formatPath, type DefinitionIssue } from './errors.js';
import { MAX_REPLICAS, SIGNALS, StackSchema, type Stack } from './schema.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { tenantPorts } from './tenants.js';

export interface LoadedStack {
  /** the definition file actually read */
  file: string;
  stack: Stack;
}

const CANDIDATES = ['stack.ts', 'stack.yaml', 'stack.yml', 'stack.mts', 'stack.js'];

/** Resolves a definition argument: a file, or a directory holding stack.ts / stack.yaml. */
export function resolveDefinition(arg: string): string {
  const p = resolve(arg);
  if (!existsSync(p)) {
    throw new DefinitionError([
      { file: arg, path: '', message: 'no such file or directory', expected: 'a stack definition (.ts or .yaml) or a directory holding stack.ts / stack.yaml', suggestion: 'try examples/dts' },
    ]);
  }
  if (statSync(p).isDirectory()) {
    for (const c of CANDIDATES) if (existsSync(join(p, c))) return join(p, c);
    throw new DefinitionError([
      { file: arg, path: '', message: 'the directory holds no stack definition', expected: `one of ${CANDIDATES.join(', ')}`, suggestion: 'name the file explicitly, or add stack.yaml' },
    ]);
  }
  return p;
}

function readYaml(file: string): unknown {
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  const first = doc.errors[0];
  if (first) {
    // Only the first error: the YAML parser reports every later error as a consequence of the first
    // (one tab used for indentation yields five), and the user fixes the first one anyway.
    const pos = first.linePos?.[0];
    const at = pos ? `line ${pos.line}, column ${pos.col}` : '';
    if (first.code === 'TAB_AS_INDENT') {
      throw new DefinitionError([
        {
          file,
          path: at,
          message: `YAML does not allow tabs for indentation${pos ? ` (a tab at ${at})` : ''}`,
          expected: 'indentation with spaces',
          suggestion: `replace the tab${pos ? ` on line ${pos.line}` : ''} with spaces (two per level, as in the rest of the file)`,
        },
      ]);
    }
    const text = (first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new DefinitionError([
      { file, path: at, message: `malformed YAML: ${text}`, expected: 'valid YAML', suggestion: 'check indentation and quoting around the reported line' },
    ]);
  }
  return doc.toJS();
}

/**
 * A .ts/.js definition is bundled in memory by esbuild and imported from a data: URL (src/model/ts-definition.ts):
 * `import { defineStack } from 'otelstack'` resolves to this package's own entry wherever the definition lives,
 * and YAML definitions (and commands that load none) never load esbuild.
 */
async function readModule(file: string): Promise<unknown> {
  const { importTsDefinition, TsDefinitionError } = await import('./ts-definition.js');
  let mod: Record<string, unknown>;
  try {
    mod = await importTsDefinition(file);
  } catch (e) {
    if (e instanceof TsDefinitionError && e.location) {
      const [l, c] = e.location.split(':');
      throw new DefinitionError([
        {
          file,
          path: `line ${l}, column ${c}`,
          message: `the TypeScript definition does not compile: ${file}:${l}:${c}: ${e.message}`,
          expected: 'a module that compiles and exports defineStack({...})',
          suggestion: `fix the code at line ${l}, column ${c}; \`npx tsc --noEmit\` shows the same error with context`,
        },
      ]);
    }
    const full = e instanceof Error ? e.message : String(e);
    throw new DefinitionError([
      { file, path: '', message: `the TypeScript definition could not be loaded: ${full.split('\n')[0]}`, expected: 'a module that compiles and exports defineStack({...})', suggestion: 'run `npx tsc --noEmit` on it to see the compiler error' },
    ]);
  }
  const value = mod['default'] ?? mod['stack'];
  if (value === undefined) {
    throw new DefinitionError([
      { file, path: '', message: 'the module exports no stack', expected: 'export default defineStack({...})', suggestion: 'add `export default` before defineStack' },
    ]);
  }
  return value;
}

/** The definition value as written (YAML parsed, TS imported), before validation. */
export async function readRaw(file: string): Promise<unknown> {
  const ext = extname(file);
  if (ext === '.yaml' || ext === '.yml' || ext === '.json') return readYaml(file);
  if (['.ts', '.mts', '.cts', '.js', '.mjs'].includes(ext)) return readModule(file);
  throw new DefinitionError([
    { file, path: '', message: `unsupported file type "${ext}"`, expected: '.ts or .yaml', suggestion: 'rename the file, or point at a directory with stack.yaml' },
  ]);
}

type SchemaDef = Record<string, unknown>;
const defOf = (s: z.ZodType): SchemaDef => (s as unknown as { def: SchemaDef }).def;

/** The (unwrapped) schema at a path of the definition, for "did you mean" on keys and for the bounds of a number. */
function schemaAt(path: ReadonlyArray<PropertyKey>): z.ZodType {
  let s: z.ZodType = StackSchema;
  for (const p of path) {
    s = unwrap(s);
    const def = defOf(s);
    if (def['type'] === 'object') s = (def['shape'] as Record<string, z.ZodType>)[String(p)] ?? s;
    else if (def['type'] === 'array') s = def['element'] as z.ZodType;
    else if (def['type'] === 'record') s = def['valueType'] as z.ZodType;
  }
  return unwrap(s);
}
/** Where zod knows the allowed keys of an object schema. */
function knownKeysAt(path: ReadonlyArray<PropertyKey>): string[] {
  const def = defOf(schemaAt(path));
  return def['type'] === 'object' ? Object.keys(def['shape'] as object) : [];
}
function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (let i = 0; i < 10; i++) {
    const def = defOf(cur);
    if (['optional', 'default', 'nullable', 'prefault'].includes(def['type'] as string)) cur = def['innerType'] as z.ZodType;
    else if (def['type'] === 'pipe') cur = def['in'] as z.ZodType;
    else break;
  }
  return cur;
}

/** "a whole number from 0 to 1000" for a bounded number schema; zod keeps the bounds as minValue / maxValue. */
function numberExpectation(path: ReadonlyArray<PropertyKey>): { text: string; min?: number; max?: number } | undefined {
  const s = schemaAt(path) as unknown as { def: SchemaDef; minValue?: number | null; maxValue?: number | null; isInt?: boolean };
  if (s.def['type'] !== 'number') return undefined;
  const kind = s.isInt ? 'a whole number' : 'a number';
  const min = s.minValue !== null && s.minValue !== undefined && s.minValue > Number.MIN_SAFE_INTEGER ? s.minValue : undefined;
  const max = s.maxValue !== null && s.maxValue !== undefined && s.maxValue < Number.MAX_SAFE_INTEGER ? s.maxValue : undefined;
  const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` of at least ${min}` : max !== undefined ? ` of at most ${max}` : '';
  return { text: `${kind}${range}`, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping (object)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

/** How a value the user wrote is named in a message: the string "one", a list, a mapping, 3. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string "${v}"`;
  if (typeof v === 'object') return 'a mapping (object)';
  return String(v);
}

function zodIssues(file: string, error: z.ZodError, raw: unknown): DefinitionIssue[] {
  const out: Array<DefinitionIssue & { missing?: boolean }> = [];
  /** paths of required keys whose absence is the consequence of a misspelt key beside them ("nmae" for "name") */
  const misspelt = new Set<string>();
  const join = (base: string, k: string) => (base ? `${base}.${k}` : k);
  for (const i of error.issues) {
    const path = formatPath(i.path);
    const got = valueAt(raw, i.path);
    if (i.code === 'unrecognized_keys') {
      const known = knownKeysAt(i.path);
      for (const k of i.keys) {
        const near = closest(k, known);
        if (near) misspelt.add(join(path, near));
        out.push({ file, path: join(path, k), message: `unknown key "${k}"`, expected: known.length ? `one of: ${known.join(', ')}` : 'no further keys here', suggestion: didYouMean(k, known) });
      }
      continue;
    }
    const params = (i as { params?: { expected?: string; suggestion?: string } }).params;
    if (params?.expected) {
      out.push({ file, path, message: i.message, expected: params.expected, suggestion: params.suggestion ?? '' });
      continue;
    }
    if (i.code === 'invalid_value') {
      const values = (i as { values: unknown[] }).values.map(String);
      out.push({ file, path, message: got === undefined ? 'a value is required' : `"${String(got)}" is not allowed here`, expected: `one of: ${values.join(', ')}`, suggestion: got === undefined ? `add one of: ${values.join(', ')}` : didYouMean(String(got), values), missing: got === undefined });
      continue;
    }
    if (i.code === 'invalid_type' || i.code === 'too_small' || i.code === 'too_big') {
      const zodExpected = (i as { expected?: string }).expected ?? 'number';
      const num = numberExpectation(i.path);
      const expected = num?.text ?? TYPE_WORDS[zodExpected] ?? zodExpected;
      const key = String(i.path[i.path.length - 1] ?? 'the value');
      if (got === undefined) {
        out.push({ file, path, message: `missing required ${key === 'the value' ? 'value' : `"${key}"`}: ${expected}`, expected, suggestion: `add ${path || 'the value'}`, missing: true });
        continue;
      }
      if (i.code !== 'invalid_type' && typeof got === 'number' && num) {
        const negative = got < 0 && num.min === 0;
        out.push({
          file,
          path,
          message: negative ? `${key} cannot be negative (got ${got}): expected ${expected}` : `${got} is out of range: expected ${expected}`,
          expected,
          suggestion: `write ${key} ${num.min !== undefined && num.max !== undefined ? `between ${num.min} and ${num.max}` : `as ${expected}`}`,
        });
        continue;
      }
      if (i.code === 'too_small' && Array.isArray(got)) {
        out.push({ file, path, message: i.message.startsWith('Too small') ? `${key} needs at least ${(i as { minimum?: number }).minimum ?? 1} entry` : i.message, expected: `a list with at least ${(i as { minimum?: number }).minimum ?? 1} entry`, suggestion: `add an entry to ${path}` });
        continue;
      }
      const example = num ? (num.min !== undefined && num.min > 1 ? num.min : 1) : undefined;
      const numeric = typeof got === 'string' && num && got.trim() !== '' && Number.isFinite(Number(got));
      out.push({
        file,
        path,
        message: `expected ${expected}, got ${describeValue(got)}`,
        expected,
        suggestion: numeric ? `remove the quotes: ${key}: ${got.trim()}` : example !== undefined ? `write ${key} as ${expected}, e.g. ${key}: ${example}` : `write ${path || 'the value'} as ${expected}`,
      });
      continue;
    }
    if (i.code === 'invalid_union') {
      // the quantities: a string with a Kubernetes unit or a number, described (with their range) in the schema
      const described = (schemaAt(i.path) as { description?: string }).description;
      const expected = described ? `a ${described}` : 'one of the shapes the schema allows (see `otelstack schema`)';
      if (got === undefined) out.push({ file, path, message: `missing required "${String(i.path[i.path.length - 1])}": ${expected}`, expected, suggestion: `add ${path}`, missing: true });
      else out.push({ file, path, message: `expected ${expected}, got ${describeValue(got)}`, expected, suggestion: `write ${path} as ${expected}` });
      continue;
    }
    out.push({ file, path, message: i.message, expected: i.message, suggestion: `fix ${path}` });
  }
  // A misspelt key is one mistake, not two: the "missing" error for the key it was meant to be collapses into it.
  return out.filter((i) => !(i.missing && misspelt.has(i.path))).map(({ missing: _missing, ...i }) => i);
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = raw;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p as string];
  }
  return cur;
}

/** Checks across the definition that zod cannot see: names that refer to each other, engines, versions, modes. */
export function crossCheck(file: string, s: Stack): DefinitionIssue[] {
  const out: DefinitionIssue[] = [];
  /** A count below what the engine runs with (catalog: minReplicas) is bad input, not a plan finding: nothing would run. */
  const tooFew = (path: string, what: string, n: number, cf: ComponentFacts, unit = 'replicas', defaults = `${cf.replicas.single}; ${cf.replicas.ha} in HA environments`) => {
    if (n >= cf.minReplicas) return;
    out.push({
      file,
      path,
      message: `${what} cannot run with ${n} ${unit}: the engine needs at least ${cf.minReplicas}`,
      expected: `a whole number from ${cf.minReplicas} to ${MAX_REPLICAS}`,
      suggestion: `set ${unit} to ${Math.max(cf.minReplicas, cf.replicas.single)} or more, or leave it out for the default (${defaults})`,
    });
  };
  const envNames = s.environments.map((e) => e.name);
  const storage = Object.keys(s.objectStorage);
  const seen = new Set<string>();
  s.environments.forEach((e, i) => {
    if (seen.has(e.name)) out.push({ file, path: `environments[${i}].name`, message: `environment "${e.name}" is defined twice`, expected: 'unique environment names', suggestion: 'rename or remove one of them' });
    seen.add(e.name);
    if (!storage.includes(e.objectStorage)) {
      out.push({ file, path: `environments[${i}].objectStorage`, message: `object-storage instance "${e.objectStorage}" is not defined`, expected: `one of the objectStorage entries: ${storage.join(', ') || '(none defined)'}`, suggestion: storage.length ? didYouMean(e.objectStorage, storage) : `add objectStorage.${e.objectStorage}` });
    }
  });
  const envKeys = (rec: Record<string, unknown> | undefined, base: string) => {
    for (const k of Object.keys(rec ?? {})) {
      if (!envNames.includes(k)) out.push({ file, path: `${base}.${k}`, message: `"${k}" is not a defined environment`, expected: `one of: ${envNames.join(', ')}`, suggestion: didYouMean(k, envNames) });
    }
  };
  for (const sig of SIGNALS) {
    const def = s.signals[sig];
    if (!def) continue;
    const base = `signals.${sig}`;
    const allowed = SIGNAL_ENGINES[sig];
    const facts = engine(def.engine);
    if (!facts || !allowed.includes(facts.id)) {
      out.push({ file, path: `${base}.engine`, message: `unknown engine "${def.engine}" for ${sig}`, expected: `one of: ${allowed.join(', ')}`, suggestion: didYouMean(def.engine, allowed as string[]) });
      continue;
    }
    if (facts.id === 'jaeger' && def.managed) {
      out.push({ file, path: `${base}.managed`, message: `${JAEGER_UNMANAGED_ONLY}: signals.${sig} names Jaeger with managed: true (the default)`, expected: 'managed: false (an existing Jaeger, reached at the catalog\'s endpoints)', suggestion: `set ${base}.managed: false, or use engine tempo` });
      continue;
    }
    const line = versionLine(facts, def.version);
    if (!line) {
      out.push({ file, path: `${base}.version`, message: `${facts.title} ${def.version} is not a version the catalog knows`, expected: `one of: ${knownVersions(facts).join('; ')}`, suggestion: `use "${facts.pinned}" (pinned) or omit version` });
      continue;
    }
    envKeys(def.environments, `${base}.environments`);
    for (const [envName, se] of Object.entries(def.environments)) {
      const p = `${base}.environments.${envName}`;
      const modes = Object.keys(line.modes);
      const removed = line.removedModes?.[se.mode];
      if (!line.modes[se.mode]) {
        out.push(
          removed
            ? { file, path: `${p}.mode`, message: `${facts.title} ${line.line}.x has no ${se.mode} mode: ${removed.reason}`, expected: `one of: ${modes.join(', ')}`, suggestion: removed.instead }
            : { file, path: `${p}.mode`, message: `${facts.title} ${line.line}.x has no ${se.mode} mode`, expected: `one of: ${modes.join(', ')}`, suggestion: `use ${modes.join(' or ')}` },
        );
      }
      for (const [c, o] of Object.entries(se.components ?? {})) {
        const cf = line.modes[se.mode]?.components.find((x) => x.name === c);
        if (cf && o.replicas !== undefined) tooFew(`${p}.components.${c}.replicas`, `${facts.title} ${c}`, o.replicas, cf);
        if (!ALL_COMPONENT_NAMES.includes(c)) {
          const names = line.modes[se.mode]?.components.map((x) => x.name) ?? [];
          out.push({ file, path: `${p}.components.${c}`, message: `unknown component "${c}"`, expected: `a ${facts.title} component: ${names.join(', ')}`, suggestion: didYouMean(c, names.length ? names : (ALL_COMPONENT_NAMES as string[])) });
        }
      }
    }
  }
  envKeys(s.kafka?.environments, 'kafka.environments');
  envKeys(s.grafana.deploy, 'grafana.deploy');
  envKeys(s.ingestion?.environments, 'ingestion.environments');
  if (s.ingestion) {
    const collector = engine(s.ingestion.collector);
    const pools = collector ? (versionLine(collector, undefined)?.modes.monolithic?.components ?? []) : [];
    for (const [envName, ie] of Object.entries(s.ingestion.environments)) {
      const base = `ingestion.environments.${envName}`;
      const gateway = pools.find((c) => c.name === 'gateway');
      if (gateway) tooFew(`${base}.gateway.replicas`, `the ${collector!.title} gateway`, ie.gateway.replicas, gateway);
      const processor = pools.find((c) => c.name === 'processor');
      if (processor && ie.processor && ie.kafkaBuffer) tooFew(`${base}.processor.replicas`, `the ${collector!.title} processor pool`, ie.processor.replicas, processor);
    }
  }
  // tenants: the environments they name exist; ids and Faro ports are each one tenant's
  const tenantIds = new Map<string, string>();
  const tenantPortsSeen = new Map<number, string>();
  for (const [name, tn] of Object.entries(s.tenants)) {
    const base = `tenants.${name}`;
    (tn.environments ?? []).forEach((e, i) => {
      if (!envNames.includes(e)) out.push({ file, path: `${base}.environments[${i}]`, message: `"${e}" is not a defined environment`, expected: `one of: ${envNames.join(', ')}`, suggestion: didYouMean(e, envNames) });
    });
    const id = tn.id ?? name;
    const twin = tenantIds.get(id);
    if (twin !== undefined) out.push({ file, path: `${base}.id`, message: `tenant id "${id}" is also tenant ${twin}'s: two tenants would read and write each other's data`, expected: 'a tenant id no other tenant has', suggestion: `give ${name} its own id, or merge it into ${twin}` });
    else tenantIds.set(id, name);
  }
  for (const [name, port] of tenantPorts(s.tenants)) {
    const twin = tenantPortsSeen.get(port);
    if (twin !== undefined) out.push({ file, path: `tenants.${name}.port`, message: `port ${port} is also tenant ${twin}'s Faro port`, expected: 'a port no other tenant listens on', suggestion: 'leave port out: each tenant then gets its own port in name order' });
    else tenantPortsSeen.set(port, name);
  }
  const broker = versionLine(engine('kafka')!, undefined)?.modes.monolithic?.components.find((c) => c.name === 'broker');
  for (const [envName, k] of Object.entries(s.kafka?.environments ?? {})) {
    if (broker && k.managed) tooFew(`kafka.environments.${envName}.brokers`, 'a managed Kafka cluster', k.brokers, broker, 'brokers', '3');
  }
  for (const [key, list] of [['cpuLimits', s.policy.cpuLimits], ['memoryLimits', s.policy.memoryLimits]] as const) {
    list.forEach((c, i) => {
      if (!ALL_COMPONENT_NAMES.includes(c)) out.push({ file, path: `policy.${key}[${i}]`, message: `unknown component "${c}"`, expected: 'a component name such as ingester, store-gateway, distributor', suggestion: didYouMean(c, ALL_COMPONENT_NAMES as string[]) });
    });
  }
  const bucketTpl = s.conventions.bucket;
  for (const ph of ['{signal}', '{env}', '{purpose}']) {
    if (!bucketTpl.includes(ph)) out.push({ file, path: 'conventions.bucket', message: `the bucket template lacks ${ph}`, expected: 'a template with {signal}, {env} and {purpose} (and optionally {stack})', suggestion: 'e.g. "dts-{signal}-{env}-{purpose}"' });
  }
  return out;
}

/** A complete definition to start from: the bundled single-node example, where this package has its examples. */
const STARTER = join(PACKAGE_ROOT, 'examples', 'single-node', 'stack.yaml');

function starterSuggestion(): string {
  const schema = '`otelstack schema` prints the JSON Schema of every key';
  if (!existsSync(STARTER)) return schema;
  const rel = relative(process.cwd(), STARTER);
  return `start from ${rel.startsWith('..') || isAbsolute(rel) ? STARTER : rel} (a complete single-node definition); ${schema}`;
}

/** Validates a raw definition value (already read from YAML or TS). */
export function validateDefinition(file: string, raw: unknown): Stack {
  if (raw === null || raw === undefined || typeof raw !== 'object' || Array.isArray(raw)) {
    const got = raw === null || raw === undefined ? 'nothing (the file is empty)' : describeValue(raw);
    throw new DefinitionError([
      {
        file,
        path: '',
        message: `the definition must be a mapping (object) at the top level, got ${got}`,
        expected: 'a mapping with name, objectStorage, environments and signals',
        suggestion: starterSuggestion(),
      },
    ]);
  }
  const r = StackSchema.safeParse(raw);
  if (!r.success) throw new DefinitionError(zodIssues(file, r.error, raw));
  const issues = crossCheck(file, r.data);
  if (issues.length) throw new DefinitionError(issues);
  return r.data;
}

export async function loadStack(arg: string): Promise<LoadedStack> {
  const file = resolveDefinition(arg);
  const raw = await readRaw(file);
  return { file, stack: validateDefinition(file, raw) };
}
