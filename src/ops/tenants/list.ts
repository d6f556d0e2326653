/** `otelstack tenant list`: every tenant of every environment, from the topology (expand), one row each. */
import Table from 'cli-table3';
import pc from 'picocolors';
import type { Stack } from '../../model/schema.js';
import { expand } from '../../topology/expand.js';

export interface TenantRow {
  env: string;
  tenant: string;
  id: string;
  origins: string[];
  host: string | null;
  faroPort: number;
  sampling: number;
  ingress: { perSecond: number; burst: number };
  gateway: { perSecond: number; burst: number };
  /** the signals with per-tenant engine limits (the others take the engine's default) */
  engineLimits: string[];
}

export function tenantRows(stack: Stack): TenantRow[] {
  return stack.environments.flatMap((e) =>
    (expand(stack, e.name).tenants ?? []).map((t) => ({
      env: e.name,
      tenant: t.name,
      id: t.id,
      origins: t.origins,
      host: t.host ?? null,
      faroPort: t.faroPort,
      sampling: t.sampling,
      ingress: t.ingressRateLimit,
      gateway: t.rateLimit,
      engineLimits: (['logs', 'traces', 'metrics'] as const).filter((s) => t.limits[s] !== undefined),
    })),
  );
}

const HEAD = ['env', 'tenant', 'id', 'origins', 'host', 'faro port', 'sampling', 'ingress', 'gateway', 'engine limits'];
const cells = (r: TenantRow): string[] => [r.env, r.tenant, r.id, r.origins.join(' '), r.host ?? '-', String(r.faroPort), String(r.sampling), `${r.ingress.perSecond}/s (${r.ingress.burst})`, `${r.gateway.perSecond}/s (${r.gateway.burst})`, r.engineLimits.join(', ') || 'engine default'];

/** A terminal table (cli-table3, the plan report's style). */
export function tenantTable(rows: TenantRow[], colour = false): string {
  if (rows.length === 0) return 'no tenants (add one with `otelstack tenant add <definition> <name> --origin … --rate N/s`)\n';
  const t = new Table({ head: HEAD.map((h) => (colour ? pc.bold(h) : h)), style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
  for (const r of rows) t.push(cells(r));
  return `${t.toString()}\n`;
}

export function tenantMarkdownTable(rows: TenantRow[]): string {
  if (rows.length === 0) return '_No tenants._\n';
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${HEAD.join(' | ')} |`, `|${HEAD.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`)].join('\n') + '\n';
}
