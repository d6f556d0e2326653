import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ALL_COMPONENT_NAMES, SIGNAL_ENGINES, engine, knownVersions, versionLine } from '../catalog/index.js';
import { DefinitionError, didYouMean, formatPath, type DefinitionIssue } from './errors.js';
import { SIGNALS, StackSchema, type Stack } from './schema.js';

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

async function readRaw(file: string): Promise<unknown> {
  const ext = extname(file);
  if (ext === '.yaml' || ext === '.yml' || ext === '.json') {
    const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
    if (doc.errors.length > 0) {
      throw new DefinitionError(
        doc.errors.map((e) => ({
          file,
          path: e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '',
          message: `malformed YAML: ${e.message.split('\n')[0]}`,
          expected: 'valid YAML',
          suggestion: 'check indentation and quoting around the reported line',
        })),
      );
    }
    return doc.toJS();
  }
  if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
    try {
      // tsx compiles the TypeScript definition on the fly (esbuild), so users need no build step.
      const { tsImport } = await import('tsx/esm/api');
      const mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
      const value = mod['default'] ?? mod['stack'];
      if (value === undefined) {
        throw new DefinitionError([
          { file, path: '', message: 'the module exports no stack', expected: 'export default defineStack({...})', suggestion: 'add `export default` before defineStack' },
        ]);
      }
      return value;
    } catch (e) {
      if (e instanceof DefinitionError) throw e;
      const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new DefinitionError([
        { file, path: '', message: `the TypeScript definition could not be loaded: ${msg}`, expected: 'a module that compiles and exports defineStack({...})', suggestion: 'run `npx tsc --noEmit` on it to see the compiler error' },
      ]);
    }
  }
  throw new DefinitionError([
    { file, path: '', message: `unsupported file type "${ext}"`, expected: '.ts or .yaml', suggestion: 'rename the file, or point at a directory with stack.yaml' },
  ]);
}

/** Where zod knows the allowed keys of an object schema, for "did you mean" on unrecognised keys. */
function knownKeysAt(path: ReadonlyArray<PropertyKey>): string[] {
  let s: z.ZodType = StackSchema;
  for (const p of path) {
    s = unwrap(s);
    const def = (s as unknown as { def: Record<string, unknown> }).def;
    if (def['type'] === 'object') s = (def['shape'] as Record<string, z.ZodType>)[String(p)] ?? s;
    else if (def['type'] === 'array') s = def['element'] as z.ZodType;
    else if (def['type'] === 'record') s = def['valueType'] as z.ZodType;
  }
  s = unwrap(s);
  const def = (s as unknown as { def: Record<string, unknown> }).def;
  return def['type'] === 'object' ? Object.keys(def['shape'] as object) : [];
}
function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (let i = 0; i < 10; i++) {
    const def = (cur as unknown as { def: Record<string, unknown> }).def;
    if (['optional', 'default', 'nullable', 'prefault'].includes(def['type'] as string)) cur = def['innerType'] as z.ZodType;
    else if (def['type'] === 'pipe') cur = def['in'] as z.ZodType;
    else break;
  }
  return cur;
}

function zodIssues(file: string, error: z.ZodError, raw: unknown): DefinitionIssue[] {
  const out: DefinitionIssue[] = [];
  for (const i of error.issues) {
    const path = formatPath(i.path);
    if (i.code === 'unrecognized_keys') {
      const known = knownKeysAt(i.path);
      for (const k of i.keys) {
        out.push({ file, path: path ? `${path}.${k}` : k, message: `unknown key "${k}"`, expected: known.length ? `one of: ${known.join(', ')}` : 'no further keys here', suggestion: didYouMean(k, known) });
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
      const got = valueAt(raw, i.path);
      out.push({ file, path, message: got === undefined ? 'a value is required' : `"${String(got)}" is not allowed here`, expected: `one of: ${values.join(', ')}`, suggestion: got === undefined ? `add one of: ${values.join(', ')}` : didYouMean(String(got), values) });
      continue;
    }
    if (i.code === 'invalid_type') {
      const raw = (i as { expected: string }).expected;
      const expected = raw === 'int' ? 'a whole number' : raw;
      const got = valueAt(raw, i.path);
      const custom = !i.message.startsWith('Invalid input');
      out.push({
        file,
        path,
        message: got === undefined ? `missing required ${expected}` : custom ? i.message : `expected ${expected}, got ${typeof got}`,
        expected,
        suggestion: got === undefined ? `add ${path || 'the value'}` : `write ${path} as ${expected}`,
      });
      continue;
    }
    out.push({ file, path, message: i.message, expected: i.message, suggestion: `fix ${path}` });
  }
  return out;
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
    const line = versionLine(facts, def.version);
    if (!line) {
      out.push({ file, path: `${base}.version`, message: `${facts.title} ${def.version} is not a version the catalog knows`, expected: `one of: ${knownVersions(facts).join('; ')}`, suggestion: `use "${facts.pinned}" (pinned) or omit version` });
      continue;
    }
    envKeys(def.environments, `${base}.environments`);
    for (const [envName, se] of Object.entries(def.environments)) {
      const p = `${base}.environments.${envName}`;
      const modes = Object.keys(line.modes);
      if (!line.modes[se.mode]) {
        out.push({ file, path: `${p}.mode`, message: `${facts.title} ${line.line}.x has no ${se.mode} mode`, expected: `one of: ${modes.join(', ')}`, suggestion: `use ${modes.join(' or ')}` });
      }
      for (const c of Object.keys(se.components ?? {})) {
        if (!ALL_COMPONENT_NAMES.includes(c)) {
          const names = line.modes[se.mode]?.components.map((x) => x.name) ?? [];
          out.push({ file, path: `${p}.components.${c}`, message: `unknown component "${c}"`, expected: `a ${facts.title} component: ${names.join(', ')}`, suggestion: didYouMean(c, names.length ? names : (ALL_COMPONENT_NAMES as string[])) });
        }
      }
    }
  }
  envKeys(s.kafka?.environments, 'kafka.environments');
  envKeys(s.ingestion?.environments, 'ingestion.environments');
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

/** Validates a raw definition value (already read from YAML or TS). */
export function validateDefinition(file: string, raw: unknown): Stack {
  if (raw === null || typeof raw !== 'object') {
    throw new DefinitionError([{ file, path: '', message: 'the definition is empty or not an object', expected: 'a mapping with name, objectStorage, environments and signals', suggestion: 'start from examples/dts/stack.yaml' }]);
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
