// Human (table) and machine (--json) forms of a VerifyReport.
//
// JSON shape (stable; keys in this order):
// { stack, env, traceId, ok, startedAt, durationMs,
//   endpoints: { otlp, protocol, traces?, metrics?, logs?, s3? },
//   checks: [ { kind, signal, label, pushedAt?, visibleAfterMs?, status: "ok"|"fail"|"skipped", detail } ] }
import Table from 'cli-table3';
import pc from 'picocolors';

import type { CheckStatus, VerifyReport } from './run.js';

export function verifyReportJson(r: VerifyReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

function statusText(s: CheckStatus, colour: boolean): string {
  if (!colour) return s;
  return s === 'ok' ? pc.green(s) : s === 'fail' ? pc.red(s) : pc.dim(s);
}

function clock(iso: string | undefined): string {
  return iso ? iso.slice(11, 23) : '';
}

export function verifyReportTable(r: VerifyReport, colour: boolean): string {
  const t = new Table({
    head: ['signal', 'pushed at', 'visible after', 'status', 'detail'].map((h) => (colour ? pc.bold(h) : h)),
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [null, null, null, null, 80] as unknown as number[],
  });
  for (const c of r.checks) {
    t.push([c.label, clock(c.pushedAt), c.visibleAfterMs === undefined ? '' : `${(c.visibleAfterMs / 1000).toFixed(2)} s`, statusText(c.status, colour), c.detail]);
  }
  const failed = r.checks.filter((c) => c.status === 'fail').length;
  const verdict = r.ok ? 'verified' : `FAILED (${failed} check${failed === 1 ? '' : 's'})`;
  const head = `otelstack verify ${r.stack}/${r.env}: trace ${r.traceId} via ${r.endpoints.otlp} (${r.endpoints.protocol})`;
  const tail = `${colour ? (r.ok ? pc.green(verdict) : pc.red(verdict)) : verdict} in ${(r.durationMs / 1000).toFixed(2)} s`;
  return `${head}\n${t.toString()}\n${tail}\n`;
}
