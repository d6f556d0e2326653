/**
 * `npm run bench:load`: otelstack load vs telemetrygen, pushing traces of the same shape to the same receiver for
 * the same time, alternately; prints spans per CPU-second of each generator process and the ratio (target ≥ 1.5×).
 * Then verify's time-to-verdict against a local stack (OTLP sink + real Prometheus + documented Tempo/Loki APIs),
 * target under 5 s. Prints figures; asserts nothing.
 *
 * Receiver: the test collector ($OTELCOL_BIN or ${OTELSTACK_CACHE:-~/.cache/otelstack}/bin/otelcol-otelstack) with an
 * OTLP receiver and a nop exporter, counting accepted spans from its own telemetry; without it, the OTLP sink.
 * Baseline: $TELEMETRYGEN_BIN or .../bin/telemetrygen; without it, otelstack is measured alone.
 * Both generators run as child processes under `sh -c` which waits for them and then prints its own
 * /proc/<pid>/stat, whose cutime + cstime are exactly the CPU time of the (reaped) generator. otelstack also
 * reports process.cpuUsage() itself; both are printed.
 * Knobs: BENCH_SECONDS (default 10), BENCH_ROUNDS (default 2), BENCH_CHILD_SPANS (default 9 → 10 spans per trace).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { request } from 'undici';

import { createVerifyClients, runVerify, type VerifyTargets } from '../src/ops/verify/index.js';
import { PrometheusProcess } from '../test/ops/backends/support/prometheus-process.js';
import { LocalStack } from '../test/ops/verify/support/local-stack.js';
import { OtlpSink } from '../test/support/otlp-sink.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(root, 'bin', 'otelstack.js');
const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 2);
const childSpans = Number(process.env['BENCH_CHILD_SPANS'] ?? 9);
const cache = process.env['OTELSTACK_CACHE'] ?? path.join(os.homedir(), '.cache', 'otelstack');

function binary(envVar: string, name: string): string | undefined {
  const fromEnv = process.env[envVar];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const p = path.join(cache, 'bin', name);
  return existsSync(p) ? p : undefined;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

interface Measured {
  readonly cpuSeconds: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

/** Runs cmd under `sh -c` and returns the CPU time of cmd (the shell's cutime + cstime once it has reaped it). */
function runMeasured(cmd: string, args: readonly string[], timeoutMs: number): Promise<Measured> {
  return new Promise((resolve) => {
    const script = '"$@"; s=$?; echo "@@STAT $(cat /proc/$$/stat)" >&2; exit $s';
    const p = spawn('/bin/sh', ['-c', script, 'sh', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-200_000)));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(timer);
      const line = /@@STAT (.*)/.exec(stderr)?.[1] ?? '';
      // fields after "(comm)": state is field 3, cutime field 16, cstime field 17 (proc(5))
      const rest = line.slice(line.lastIndexOf(')') + 2).split(' ');
      const cutime = Number(rest[16 - 3]);
      const cstime = Number(rest[17 - 3]);
      resolve({ cpuSeconds: (cutime + cstime) / CLK_TCK, stdout, stderr: stderr.replace(/@@STAT .*\n?/, ''), code });
    });
  });
}

interface Receiver {
  readonly name: string;
  readonly grpcEndpoint: string;
  /** Spans accepted so far. */
  accepted(): Promise<number>;
  stop(): Promise<void>;
}

async function sinkReceiver(): Promise<Receiver> {
  const sink = await OtlpSink.start({ transports: ['grpc'] });
  let total = 0;
  // the sink keeps what it decodes: fold it into a count often, so memory stays flat
  const timer = setInterval(() => {
    total += sink.count('traces');
    sink.reset();
  }, 200);
  return {
    name: 'otelstack test sink (in the bench process)',
    grpcEndpoint: sink.grpcEndpoint,
    accepted: async () => total + sink.count('traces'),
    stop: async () => {
      clearInterval(timer);
      await sink.stop();
    },
  };
}

async function collectorReceiver(bin: string): Promise<Receiver> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'otelstack-bench-col-'));
  const port = await freePort();
  const metricsPort = await freePort();
  // collector configuration shape: v0.158.0 (otlp receiver, nop exporter, internal telemetry pull reader)
  writeFileSync(
    path.join(dir, 'config.yaml'),
    [
      'receivers:',
      '  otlp:',
      '    protocols:',
      `      grpc: { endpoint: "127.0.0.1:${port}" }`,
      'exporters:',
      '  nop: {}',
      'service:',
      '  telemetry:',
      '    logs: { level: warn }',
      '    metrics:',
      '      level: basic',
      '      readers:',
      `        - pull: { exporter: { prometheus: { host: "127.0.0.1", port: ${metricsPort} } } }`,
      '  pipelines:',
      '    traces: { receivers: [otlp], exporters: [nop] }',
      '',
    ].join('\n'),
  );
  const child = spawn(bin, ['--config', path.join(dir, 'config.yaml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const scrape = async (): Promise<number> => {
    const res = await request(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(2000) });
    const text = await res.body.text();
    let n = 0;
    for (const m of text.matchAll(/^otelcol_receiver_accepted_spans(?:_total)?(?:\{[^}]*\})?\s+([0-9.e+]+)/gm)) n += Number(m[1]);
    return n;
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`collector exited during start-up:\n${log}`);
    }
    try {
      await scrape();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`collector not ready within 20 s:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { name: `collector ${path.basename(bin)} (OTLP receiver → nop exporter)`, grpcEndpoint: `http://127.0.0.1:${port}`, accepted: scrape, stop };
}

interface RunFigures {
  readonly spans: number;
  readonly cpuSeconds: number;
  readonly selfReportedCpuSeconds?: number;
  readonly note?: string;
}

async function runOtelstack(rx: Receiver): Promise<RunFigures> {
  const before = await rx.accepted();
  const args = [BIN, 'load', '--endpoint', rx.grpcEndpoint, '--protocol', 'grpc', '--signals', 'traces', '--rate', '0', '--duration', `${seconds}s`];
  args.push('--depth', '2', '--fan-out', String(childSpans), '--attributes', '3', '--error-ratio', '0', '--batch-size', '1000', '--concurrency', '8', '--workers', '1', '--json', '--no-progress');
  const m = await runMeasured(process.execPath, args, (seconds + 60) * 1000);
  await new Promise((r) => setTimeout(r, 500));
  const spans = (await rx.accepted()) - before;
  let self: number | undefined;
  try {
    const j = JSON.parse(m.stdout) as { cpu: { userMs: number; systemMs: number } };
    self = (j.cpu.userMs + j.cpu.systemMs) / 1000;
  } catch {
    // reported below through the note
  }
  return { spans, cpuSeconds: m.cpuSeconds, ...(self !== undefined ? { selfReportedCpuSeconds: self } : { note: `exit ${m.code}: ${m.stderr.slice(-300)}` }) };
}

async function runTelemetrygen(bin: string, rx: Receiver): Promise<RunFigures> {
  const before = await rx.accepted();
  const target = rx.grpcEndpoint.replace(/^http:\/\//, '');
  const args = ['traces', '--otlp-endpoint', target, '--otlp-insecure', '--duration', `${seconds}s`, '--rate', '0', '--workers', '1', '--child-spans', String(childSpans)];
  const m = await runMeasured(bin, args, (seconds + 60) * 1000);
  await new Promise((r) => setTimeout(r, 500));
  const spans = (await rx.accepted()) - before;
  return { spans, cpuSeconds: m.cpuSeconds, ...(m.code !== 0 ? { note: `exit ${m.code}: ${m.stderr.slice(-300)}` } : {}) };
}

const per = (f: RunFigures): number => (f.cpuSeconds > 0 ? f.spans / f.cpuSeconds : 0);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function loadBench(): Promise<void> {
  const colBin = binary('OTELCOL_BIN', 'otelcol-otelstack');
  const tgBin = binary('TELEMETRYGEN_BIN', 'telemetrygen');
  let rx: Receiver;
  if (colBin) {
    try {
      rx = await collectorReceiver(colBin);
    } catch (e) {
      console.log(`collector ${colBin} did not start (${(e as Error).message.split('\n')[0]}); using the OTLP sink`);
      rx = await sinkReceiver();
    }
  } else {
    console.log(`no collector at ${path.join(cache, 'bin', 'otelcol-otelstack')} (scripts/peers/otelcol.sh builds it); receiving with the OTLP sink`);
    rx = await sinkReceiver();
  }
  if (!tgBin) console.log(`no telemetrygen at ${path.join(cache, 'bin', 'telemetrygen')} (scripts/peers/telemetrygen.sh installs it); measuring otelstack alone`);
  console.log(`receiver: ${rx.name}; traces of ${childSpans + 1} spans (1 root + ${childSpans} children), unthrottled, ${seconds} s per run, ${rounds} round(s), ${os.cpus().length} CPU(s)`);
  const ours: RunFigures[] = [];
  const theirs: RunFigures[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const o = await runOtelstack(rx);
      ours.push(o);
      console.log(
        `  round ${i + 1} otelstack load : ${fmt(o.spans)} spans, ${o.cpuSeconds.toFixed(2)} CPU-s (process.cpuUsage: ${o.selfReportedCpuSeconds?.toFixed(2) ?? '?'}) → ${fmt(per(o))} spans/CPU-s${o.note ? `  [${o.note}]` : ''}`,
      );
      if (tgBin) {
        const t = await runTelemetrygen(tgBin, rx);
        theirs.push(t);
        console.log(`  round ${i + 1} telemetrygen   : ${fmt(t.spans)} spans, ${t.cpuSeconds.toFixed(2)} CPU-s → ${fmt(per(t))} spans/CPU-s${t.note ? `  [${t.note}]` : ''}`);
      }
    }
  } finally {
    await rx.stop();
  }
  const total = (xs: RunFigures[]): RunFigures => ({ spans: xs.reduce((n, x) => n + x.spans, 0), cpuSeconds: xs.reduce((n, x) => n + x.cpuSeconds, 0) });
  const oursRun: RunFigures = { spans: total(ours).spans, cpuSeconds: ours.reduce((n, x) => n + (x.selfReportedCpuSeconds ?? x.cpuSeconds), 0) };
  const o = per(oursRun);
  const oWhole = per(total(ours));
  console.log(`otelstack load   ${fmt(o)} spans per CPU-second during the run (process.cpuUsage); ${fmt(oWhole)} counting the whole process with CLI start-up (${fmt(total(ours).spans / (seconds * rounds))} spans/s wall)`);
  if (theirs.length) {
    const t = per(total(theirs));
    console.log(`telemetrygen     ${fmt(t)} spans per CPU-second, whole process (${fmt(total(theirs).spans / (seconds * rounds))} spans/s wall)`);
    console.log(`ratio            ${t > 0 ? (o / t).toFixed(2) : '∞'}× during the run, ${t > 0 ? (oWhole / t).toFixed(2) : '∞'}× whole process (target ≥ 1.5×)`);
  }
}

async function verifyBench(): Promise<void> {
  let prom: PrometheusProcess | undefined;
  try {
    prom = await PrometheusProcess.start();
  } catch (e) {
    console.log(`verify: no Prometheus (${(e as Error).message.split('\n')[0]}); metrics are left out of the verdict`);
  }
  const stack = await LocalStack.start(prom ? { prometheus: prom } : {});
  const times: number[] = [];
  try {
    const t: VerifyTargets = {
      stack: 'bench',
      env: 'local',
      namespace: 'bench-local',
      otlp: { endpoint: stack.sink.grpcEndpoint, protocol: 'grpc', headers: {} },
      traces: { engine: 'tempo', url: stack.tempo.url, api: 'v2' },
      ...(prom ? { metrics: { engine: 'prometheus' as const, url: prom.url } } : {}),
      logs: { engine: 'loki', url: stack.loki.url },
      storage: { region: 'us-east-1', buckets: [] },
    };
    for (let i = 0; i < 5; i++) {
      const clients = createVerifyClients(t);
      try {
        const r = await runVerify(t, clients, { timeoutMs: 30_000 });
        times.push(r.durationMs);
        if (!r.ok) console.log(`  verify run ${i + 1} failed: ${r.checks.filter((c) => c.status === 'fail').map((c) => `${c.label}: ${c.detail}`).join('; ')}`);
      } finally {
        await clients.close();
      }
    }
  } finally {
    await stack.stop();
    await prom?.stop();
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`verify time-to-verdict (local sink${prom ? ' + Prometheus' : ''} + Tempo/Loki API stand-ins): median ${(sorted[2]! / 1000).toFixed(2)} s, max ${(sorted[4]! / 1000).toFixed(2)} s over 5 runs (target < 5 s)`);
}

await loadBench();
await verifyBench();
