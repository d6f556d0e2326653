/**
 * `otelstack tenant add | remove | list` (seed 003, issue 11 §3). add and remove edit the definition the user named —
 * a YAML one in place (yaml-edit.ts: the tenants block only, the rest byte for byte), a TypeScript one never (the
 * object to add, or the key to delete, is printed) — after validating the edited definition with the loader and
 * checking it with the plan's rules: invalid → nothing is written. Then what the change does to the rendered files.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { parse } from 'yaml';
import { loadStack, readRaw, validateDefinition } from '../../model/load.js';
import type { Stack } from '../../model/schema.js';
import { FARO_TENANT_PORT_BASE } from '../../catalog/otelcol.js';
import { tenantPortMoves, tenantPorts } from '../../model/tenants.js';
import type { Finding } from '../../plan/findings.js';
import { verdict } from '../../plan/index.js';
import { textPatch } from '../../render/output/diff.js';
import { TenantInputError } from './errors.js';
import { checkTenantName, TENANT_BLOCK_KEYS, tenantFromFlags, type TenantBlock, type TenantFlags } from './flags.js';
import { tenantOnboarding, type TenantOnboarding } from './onboarding.js';
import { renderDiff, type DiffDetail, type RenderDiff } from './render-diff.js';
import { tsLiteral } from './ts-literal.js';
import { addTenantToYaml, removeTenantFromYaml } from './yaml-edit.js';

export { TenantInputError } from './errors.js';
export { tenantRows, tenantTable, tenantMarkdownTable, type TenantRow } from './list.js';
export { onboardingMarkdown, onboardingText, type TenantOnboarding } from './onboarding.js';
export { DIFF_DETAILS, type DiffDetail } from './render-diff.js';
export type { TenantFlags } from './flags.js';

/** What `tenant add` / `tenant remove` did or would do (`--json` prints it as is). */
export interface TenantChange {
  command: 'add' | 'remove';
  /** the definition file (resolved) */
  definition: string;
  tenant: string;
  /** yaml: edited in place; typescript: never edited, `typescript` says what to change */
  kind: 'yaml' | 'typescript';
  dryRun: boolean;
  written: boolean;
  /** the yaml library re-serialised the whole file (a layout the in-place edit does not handle) */
  reformatted: boolean;
  /** the tenant block added (add) */
  block: TenantBlock | null;
  /** YAML: the unified diff of the definition file */
  definitionPatch: string | null;
  /** TypeScript: the property to add under `tenants` (add), or the one to delete (remove) */
  typescript: string | null;
  /** the plan's findings the change brings (not in the definition before) */
  findings: Finding[];
  /** true: the plan's rules (or a renderer) refuse the edited definition, nothing was written */
  refused: boolean;
  render: Omit<RenderDiff, 'guard'>;
  notes: string[];
  /** add: the onboarding sheet */
  onboarding: TenantOnboarding | null;
}

export interface ChangeOptions {
  /** the definition as the user named it (shown in commands to run) */
  definition: string;
  name: string;
  dryRun: boolean;
  diff: DiffDetail;
}

const isTs = (file: string): boolean => !['.yaml', '.yml', '.json'].includes(extname(file));
const findingKey = (f: Finding): string => `${f.severity}|${f.rule}|${f.env ?? ''}|${f.path}|${f.message}`;

/** The findings of `after` that `before` does not have: what the edit brings. */
function newFindings(file: string, before: Stack, after: Stack): Finding[] {
  const old = new Set(verdict(before, file).findings.map(findingKey));
  return verdict(after, file).findings.filter((f) => !old.has(findingKey(f)));
}

/** Tenants whose Faro port the edit moves (ports follow the name order of the tenants without a pinned port). */
function portMoves(before: Stack, after: Stack): string[] {
  return tenantPortMoves(tenantPorts(before.tenants), tenantPorts(after.tenants)).map(
    (m) => `tenant ${m.name}'s Faro port moves from ${m.from} to ${m.to} (ports follow the tenants' name order): pin it with tenants.${m.name}.port: ${m.from} to keep it`,
  );
}

/**
 * The block `tenant add` writes: with a pinned port beyond every tenant's when its place in the name order would
 * move other tenants' ports — the browsers of those tenants send to them (compose publishes them on the host).
 */
function withStablePorts(before: Stack, name: string, block: TenantBlock, notes: string[]): TenantBlock {
  const now = tenantPorts(before.tenants);
  const moved = tenantPortMoves(now, tenantPorts({ ...before.tenants, [name]: block }));
  if (block.port !== undefined || moved.length === 0) return block;
  const port = Math.max(FARO_TENANT_PORT_BASE - 1, ...now.values()) + 1;
  notes.push(`tenant ${name} gets Faro port ${port}, written as tenants.${name}.port: in name order it would have taken a port and moved ${moved.map((m) => `${m.name}'s (${m.from} → ${m.to})`).join(', ')}, breaking the Faro URL their pages send to`);
  const withPort: TenantBlock = { ...block, port };
  // written in the schema's key order (port after host), like every key tenantFromFlags writes
  return Object.fromEntries(TENANT_BLOCK_KEYS.filter((k) => withPort[k] !== undefined).map((k) => [k, withPort[k]])) as unknown as TenantBlock;
}

/** Writes the definition through a temporary file in its directory and a rename: all or nothing. */
function writeAtomic(file: string, expectedOnDisk: string, text: string): void {
  const target = realpathSync(file);
  if (readFileSync(target, 'utf8') !== expectedOnDisk) throw new TenantInputError(`${file} changed while otelstack was editing it`, 'run the command again');
  const tmp = join(dirname(target), `.${basename(target)}.otelstack-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fail = (e: unknown): never => {
    throw new TenantInputError(`could not write ${file}: ${e instanceof Error ? e.message : String(e)}`, `check that ${dirname(target)} is writable; ${file} is unchanged`);
  };
  try {
    // 'wx': never over a file that exists
    writeFileSync(tmp, text, { mode: statSync(target).mode & 0o777, flag: 'wx' });
  } catch (e) {
    // only the temporary file this call created is ever removed
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') rmSync(tmp, { force: true });
    fail(e);
  }
  try {
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    fail(e);
  }
}

async function afterTs(file: string, edit: (tenants: Record<string, unknown>) => Record<string, unknown>): Promise<Stack> {
  const raw = (await readRaw(file)) as Record<string, unknown>;
  return validateDefinition(file, { ...raw, tenants: edit({ ...((raw['tenants'] as Record<string, unknown> | undefined) ?? {}) }) });
}

/** The definition after a tenant change, and how it is (or is not) written. */
interface Edited {
  after: Stack;
  kind: TenantChange['kind'];
  reformatted: boolean;
  definitionPatch: string | null;
  typescript: string | null;
  notes: string[];
  /** YAML: replaces the file (as it was read) atomically; TypeScript: undefined, otelstack never edits it */
  write: (() => void) | undefined;
}

/**
 * The change add and remove make, on either kind of definition: a TypeScript one is evaluated with the change (`ts`)
 * and the change printed for a person to make; a YAML one is edited in place (`yaml`), validated, and its patch
 * shown. The notes end with the Faro ports the change moves.
 */
async function editDefinition(file: string, before: Stack, ts: () => Promise<{ after: Stack; typescript: string; note: string }>, yaml: (src: string) => { text: string; reformatted: boolean }): Promise<Edited> {
  let e: Edited;
  if (isTs(file)) {
    const t = await ts();
    e = { after: t.after, kind: 'typescript', reformatted: false, definitionPatch: null, typescript: t.typescript, notes: [t.note], write: undefined };
  } else {
    const src = readFileSync(file, 'utf8');
    const edit = yaml(src);
    e = {
      after: validateDefinition(file, parse(edit.text)),
      kind: 'yaml',
      reformatted: edit.reformatted,
      definitionPatch: textPatch(basename(file), src, edit.text, 'before', 'after'),
      typescript: null,
      notes: edit.reformatted ? [`the tenants block's layout is one the in-place edit does not handle: the yaml library re-serialised ${file} (comments kept)`] : [],
      write: () => writeAtomic(file, src, edit.text),
    };
  }
  e.notes.push(...portMoves(before, e.after));
  return e;
}

/** The change's findings and render diff; written only when nothing refuses it and it is not a dry run. */
function finish(command: TenantChange['command'], file: string, o: ChangeOptions, before: Stack, e: Edited, block: TenantBlock | null, onboarding: TenantOnboarding | null): TenantChange {
  const findings = newFindings(file, before, e.after);
  const { guard, ...render } = renderDiff(before, e.after, o.diff);
  const refused = findings.some((f) => f.severity === 'error') || guard.length > 0;
  const all = refused && guard.length ? [...findings, ...guard] : findings;
  const written = !refused && !o.dryRun && e.write !== undefined;
  if (written) e.write!();
  return { command, definition: file, tenant: o.name, kind: e.kind, dryRun: o.dryRun, reformatted: e.reformatted, block, definitionPatch: e.definitionPatch, typescript: e.typescript, notes: e.notes, onboarding, findings: all, refused, render, written };
}

export async function addTenant(o: ChangeOptions & { flags: TenantFlags }): Promise<TenantChange> {
  checkTenantName(o.name);
  const { file, stack: before } = await loadStack(o.definition);
  if (o.name in before.tenants) {
    throw new TenantInputError(`${file} already has a tenant "${o.name}" (tenants.${o.name})`, `run \`otelstack tenant remove ${o.definition} ${o.name}\` first, or pick another name`);
  }
  const pinned: string[] = [];
  const block = withStablePorts(before, o.name, tenantFromFlags(o.flags), pinned);
  const e = await editDefinition(
    file,
    before,
    async () => ({
      after: await afterTs(file, (t) => ({ ...t, [o.name]: block })),
      typescript: `${/^[A-Za-z_$][\w$]*$/.test(o.name) ? o.name : `'${o.name}'`}: ${tsLiteral(block)},`,
      note: `otelstack does not edit TypeScript definitions: add the property above under \`tenants\` in ${file}${before.tenants && Object.keys(before.tenants).length ? '' : ' (create `tenants: { … }` at the top level of defineStack)'}`,
    }),
    (src) => addTenantToYaml(file, src, o.name, block),
  );
  e.notes.unshift(...pinned);
  return finish('add', file, o, before, e, block, tenantOnboarding(e.after, o.definition, o.name));
}

export async function removeTenant(o: ChangeOptions): Promise<TenantChange> {
  const { file, stack: before } = await loadStack(o.definition);
  if (!(o.name in before.tenants)) {
    const names = Object.keys(before.tenants);
    throw new TenantInputError(`${file} has no tenant "${o.name}"`, names.length ? `its tenants: ${names.join(', ')} (\`otelstack tenant list ${o.definition}\`)` : 'it has no tenants');
  }
  const e = await editDefinition(
    file,
    before,
    async () => ({
      after: await afterTs(file, (t) => {
        const { [o.name]: _gone, ...rest } = t;
        return rest;
      }),
      typescript: `tenants.${o.name}`,
      note: `otelstack does not edit TypeScript definitions: delete the property \`${o.name}\` of \`tenants\` in ${file}`,
    }),
    (src) => removeTenantFromYaml(file, src, o.name),
  );
  return finish('remove', file, o, before, e, null, null);
}
