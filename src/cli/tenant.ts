import { isAbsolute, relative } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { loadStack } from '../model/load.js';
import type { Finding } from '../plan/findings.js';
import {
  addTenant,
  DIFF_DETAILS,
  onboardingMarkdown,
  onboardingText,
  removeTenant,
  TenantInputError,
  tenantMarkdownTable,
  tenantRows,
  tenantTable,
  type DiffDetail,
  type TenantChange,
  type TenantFlags,
} from '../ops/tenants/index.js';
import { EXIT, reportError, UsageError } from './errors.js';

type Run = (fn: () => Promise<number>) => Promise<void>;
type Format = 'text' | 'markdown' | 'json';
const FORMATS: readonly Format[] = ['text', 'markdown', 'json'];

interface OutputFlags {
  format: string;
  json?: boolean;
}
interface ChangeFlags extends OutputFlags {
  dryRun?: boolean;
  diff: string;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(s);

function formatOf(f: OutputFlags): Format {
  if (f.json) return 'json';
  if (!(FORMATS as readonly string[]).includes(f.format)) throw new UsageError(`unknown --format "${f.format}"`, `use one of: ${FORMATS.join(', ')}`);
  return f.format as Format;
}
function diffOf(v: string): DiffDetail {
  if (!(DIFF_DETAILS as readonly string[]).includes(v)) throw new UsageError(`unknown --diff "${v}"`, `use one of: ${DIFF_DETAILS.join(', ')}`);
  return v as DiffDetail;
}

/** Runs a tenant command: its bad input is exit 2 (under --format json too, with the JSON error shape). */
function guarded(run: Run, json: () => boolean, fn: () => Promise<number>): Promise<void> {
  return run(async () => {
    try {
      return await fn();
    } catch (e) {
      const bad = e instanceof TenantInputError ? new UsageError(e.message, e.suggestion) : e;
      return reportError(bad, json());
    }
  });
}

function printFindings(findings: Finding[]): void {
  for (const f of findings) err(`${f.severity} [${f.rule}]${f.env ? ` ${f.env}` : ''} at ${f.path}: ${f.message}\n  → ${f.suggestion}\n`);
}

const CHANGE_MARK = { added: '+', removed: '-', changed: '~' } as const;
/** "~ compose/local/otelcol.yaml (+12 -0)", at most `max` lines then a count of the rest. */
function fileLines(c: TenantChange, max = Infinity): string[] {
  const lines = c.render.files.slice(0, max).map((f) => `${CHANGE_MARK[f.change]} ${f.path} (+${f.added} -${f.removed})`);
  if (c.render.files.length > max) lines.push(`… and ${c.render.files.length - max} more (\`--format text --diff stat\` lists them all)`);
  return lines;
}

function status(c: TenantChange): string {
  const verb = c.command === 'add' ? (c.written ? 'added' : 'would add') : c.written ? 'removed' : 'would remove';
  const why = c.refused ? ' — refused by the plan, nothing written' : c.kind === 'typescript' ? ' — TypeScript definition, not edited' : c.dryRun ? ' (--dry-run: nothing written)' : '';
  const rel = relative(process.cwd(), c.definition);
  return `${verb} tenant ${c.tenant} ${c.command === 'add' ? 'to' : 'from'} ${rel.startsWith('..') || isAbsolute(rel) ? c.definition : rel}${why}`;
}

function printChange(c: TenantChange, format: Format): number {
  const code = c.refused ? EXIT.findings : EXIT.ok;
  if (format === 'json') {
    out(`${JSON.stringify({ ok: !c.refused, ...c }, null, 2)}\n`);
    return code;
  }
  printFindings(c.findings);
  if (format === 'markdown') {
    const changes = fileLines(c, 20).map((l) => `\`${l}\``);
    if (c.onboarding) out(onboardingMarkdown(c.onboarding, { title: `Tenant \`${c.tenant}\` — onboarding`, changes }));
    else out(`### Tenant \`${c.tenant}\` ${c.written ? 'removed' : 'to remove'}\n\n**Rendered files that change**\n\n${changes.length ? changes.map((l) => `- ${l}`).join('\n') : 'none'}\n`);
    if (c.typescript && c.command === 'add') out(`\n**Definition** (add under \`tenants\`)\n\n\`\`\`ts\n${c.typescript}\n\`\`\`\n`);
    err(`${status(c)}\n`);
    for (const n of c.notes) err(`note: ${n}\n`);
    return code;
  }
  out(`${c.refused ? pc.red(status(c)) : pc.green(status(c))}\n`);
  if (c.typescript) out(c.command === 'add' ? `\nadd under tenants:\n  ${c.typescript.replace(/\n/g, '\n  ')}\n` : `\ndelete ${c.typescript}\n`);
  if (c.definitionPatch) out(`\ndefinition:\n${c.definitionPatch}`);
  const n = c.render.files.length;
  const counts = (['added', 'changed', 'removed'] as const).map((k) => [k, c.render.files.filter((f) => f.change === k).length] as const).filter(([, v]) => v > 0);
  out(`\nrendered files that change: ${n}${counts.length ? ` (${counts.map(([k, v]) => `${v} ${k}`).join(', ')})` : ''}\n`);
  for (const l of fileLines(c)) out(`  ${l}\n`);
  for (const p of c.render.patches) out(p.patch);
  if (c.render.omittedLines > 0) out(`(${c.render.omittedLines} lines of rendered diff left out: --diff full shows them)\n`);
  for (const note of c.notes) out(`${pc.yellow('note')}: ${note}\n`);
  if (c.onboarding) out(`\n${onboardingText(c.onboarding)}`);
  return code;
}

const FORMAT_HELP = 'text | markdown (an onboarding sheet to paste into a ticket) | json';
const DIFF_HELP = `how much of the rendered diff to show: auto (the unified diffs up to 400 lines, else the list of files), full, stat (the list of files), none`;

export function tenantCommand(program: Command, run: Run): void {
  const tenant = program.command('tenant').description("tenants (seed 003): add, remove and list the tenants.<name> of a definition — YAML edited in place, TypeScript printed — with the render diff");
  tenant
    .command('add')
    .description('add tenants.<name> to a definition: validates it, shows what changes in the rendered files and the onboarding sheet')
    .argument('<definition>', 'stack definition (.yaml edited in place; .ts: the object to add is printed)')
    .argument('<name>', 'the tenant name (a DNS label); also its tenant id unless --id')
    .option('--origin <origin>', "an origin of the tenant's pages, scheme://host[:port] (CORS); repeat for several", collect)
    .option('--rate <N/s>', "level 3: the gateway's limit for the tenant's Faro requests, e.g. 50/s")
    .option('--burst <n>', 'requests let through at once above --rate (default twice the rate)')
    .option('--sampling <s>', 'level 1: the share of browser sessions the Faro SDK samples, 0 < s ≤ 1 (default 1)')
    .option('--host <dns-name>', "the host the tenant's browsers send to (the ingress routes it to the tenant's Faro receiver)")
    .option('--ingress-rate <N/s>', "level 2: the ingress limit on the tenant's host (default --rate)")
    .option('--ingress-burst <n>', 'burst above --ingress-rate (default twice the rate)')
    .option('--id <id>', 'the tenant id (X-Scope-OrgID) in every engine (default the name)')
    .option('--env <name>', 'an environment that serves the tenant; repeat for several (default every environment)', collect)
    .option('--propagate-to <url>', "a URL prefix of the tenant's own backends that gets trace context; repeat (default its origins)", collect)
    .option('--format <format>', FORMAT_HELP, 'text')
    .option('--json', 'the same as --format json')
    .option('--diff <detail>', DIFF_HELP, 'auto')
    .option('--dry-run', 'write nothing: show what would change')
    .action((definition: string, name: string, f: TenantFlags & ChangeFlags) =>
      guarded(run, () => f.json === true || f.format === 'json', async () => {
        const format = formatOf(f);
        const c = await addTenant({ definition, name, flags: f, dryRun: f.dryRun === true, diff: diffOf(f.diff) });
        return printChange(c, format);
      }),
    );
  tenant
    .command('remove')
    .description('remove tenants.<name> from a definition (YAML in place; TypeScript: says what to delete), with the render diff')
    .argument('<definition>', 'stack definition')
    .argument('<name>', 'the tenant to remove')
    .option('--format <format>', 'text | markdown | json', 'text')
    .option('--json', 'the same as --format json')
    .option('--diff <detail>', DIFF_HELP, 'auto')
    .option('--dry-run', 'write nothing: show what would change')
    .action((definition: string, name: string, f: ChangeFlags) =>
      guarded(run, () => f.json === true || f.format === 'json', async () => {
        const format = formatOf(f);
        const c = await removeTenant({ definition, name, dryRun: f.dryRun === true, diff: diffOf(f.diff) });
        return printChange(c, format);
      }),
    );
  tenant
    .command('list')
    .description("the tenants each environment serves, from the topology: id, origins, host, Faro port and the three limits")
    .argument('<definition>', 'stack definition')
    .option('--env <name>', 'only this environment')
    .option('--format <format>', 'text | markdown | json', 'text')
    .option('--json', 'the same as --format json')
    .action((definition: string, f: OutputFlags & { env?: string }) =>
      guarded(run, () => f.json === true || f.format === 'json', async () => {
        const format = formatOf(f);
        const { file, stack } = await loadStack(definition);
        if (f.env !== undefined && !stack.environments.some((e) => e.name === f.env)) throw new UsageError(`${file} has no environment "${f.env}"`, `use one of: ${stack.environments.map((e) => e.name).join(', ')}`);
        const rows = tenantRows(stack).filter((r) => f.env === undefined || r.env === f.env);
        if (format === 'json') out(`${JSON.stringify({ definition: file, tenants: rows }, null, 2)}\n`);
        else out(format === 'markdown' ? tenantMarkdownTable(rows) : tenantTable(rows, process.stdout.isTTY === true));
        return EXIT.ok;
      }),
    );
}
