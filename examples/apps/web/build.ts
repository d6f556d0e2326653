// Builds the sample web app for one tenant of a stack definition and (with --serve) serves it:
//   node dist/examples/apps/web/build.js --definition examples/rum --env local --tenant shop \
//     --faro-url http://localhost:12347/collect --api shop=http://localhost:8081/api/items --out /tmp/sample-web [--serve 8080]
// The tenant's client-side sampling and its propagateTo (the backends that get `traceparent`) come from the
// definition through the topology, so the page sends what the rendered stack expects; esbuild bundles src/main.ts
// with that configuration as a constant (no network: every module is in node_modules).
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { build } from 'esbuild';

import { loadStack } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { expand } from '../../../src/topology/expand.js';
import type { WebAppConfig } from './src/config.js';

export type { WebAppConfig };

/** examples/apps/web/src, from this file's source or from tsc's output (dist/examples/apps/web/build.js). */
function sourceDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    const src = join(dir, 'examples', 'apps', 'web', 'src', 'main.ts');
    if (existsSync(src)) return dirname(src);
    if (existsSync(join(dir, 'src', 'main.ts')) && existsSync(join(dir, 'src', 'config.ts'))) return join(dir, 'src');
  }
  throw new Error(`sample web app: examples/apps/web/src/main.ts not found above ${fileURLToPath(import.meta.url)}`);
}

export interface WebAppFromDefinition {
  readonly faroUrl: string;
  readonly apis: WebAppConfig['apis'];
  readonly version?: string;
}

/** The app's configuration for tenant `tenant` of `env`: its sampling and its trace-context targets from the topology. */
export function webAppConfigFor(stack: Stack, env: string, tenant: string, opts: WebAppFromDefinition): WebAppConfig {
  const t = expand(stack, env);
  const plan = t.tenants?.find((x) => x.name === tenant);
  if (!plan) {
    const known = (t.tenants ?? []).map((x) => x.name);
    throw new Error(`sample web app: environment "${env}" of ${stack.name} serves no tenant "${tenant}" (tenants there: ${known.join(', ') || 'none'}); add it with \`otelstack tenant add\` or pick one of those`);
  }
  return {
    faroUrl: opts.faroUrl,
    app: { name: `${plan.name}-web`, version: opts.version ?? '0.1.0', environment: env },
    samplingRate: plan.sampling,
    propagateTraceHeaderCorsUrls: [...plan.propagateTo],
    apis: opts.apis,
  };
}

const INDEX_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>otelstack sample shop</title>
<link rel="icon" href="data:,">
</head>
<body>
<h1>Sample shop</h1>
<p>Each API the page called on load, and the trace context it received:</p>
<ul id="apis"></ul>
<button id="checkout" type="button">Checkout</button>
<script type="module" src="app.js"></script>
</body>
</html>
`;

/** Bundles the app with `config` into outDir: index.html, app.js (and its source map). */
export async function buildWebApp(config: WebAppConfig, outDir: string): Promise<{ readonly files: readonly string[] }> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(sourceDir(), 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    outfile: join(outDir, 'app.js'),
    sourcemap: true,
    logLevel: 'warning',
    // a string literal (the JSON text), parsed once by the page: an object-valued define would be injected into
    // every module of the bundle
    define: { __SAMPLE_WEB_CONFIG__: JSON.stringify(JSON.stringify(config)) },
  });
  writeFileSync(join(outDir, 'index.html'), INDEX_HTML);
  return { files: ['index.html', 'app.js', 'app.js.map'].map((f) => join(outDir, f)) };
}

const TYPES: Readonly<Record<string, string>> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.map': 'application/json' };

export interface StaticServer {
  /** the page's origin, e.g. http://127.0.0.1:8080 */
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves the built files of outDir (and nothing else) on host:port; port 0 = any free port. */
export async function serveWebApp(outDir: string, host = '127.0.0.1', port = 0): Promise<StaticServer> {
  const files = new Map(['index.html', 'app.js', 'app.js.map'].map((f) => [`/${f}`, join(outDir, f)]));
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://static.invalid').pathname;
    const file = files.get(path === '/' ? '/index.html' : path);
    if (req.method !== 'GET' || !file || !existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(readFileSync(file));
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  const a = server.address() as AddressInfo;
  return {
    origin: `http://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`,
    close: () =>
      new Promise<void>((ok, fail) => {
        server.closeAllConnections();
        server.close((e) => (e ? fail(e) : ok()));
      }),
  };
}

function usage(message: string): never {
  console.error(`sample web app: ${message}
usage: node dist/examples/apps/web/build.js --definition <dir|file> --env <environment> --tenant <name>
         --faro-url <url> --api <name>=<url> [--api ...] --out <dir> [--serve <port>]`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      definition: { type: 'string' },
      env: { type: 'string' },
      tenant: { type: 'string' },
      'faro-url': { type: 'string' },
      api: { type: 'string', multiple: true },
      out: { type: 'string' },
      serve: { type: 'string' },
    },
    strict: true,
  });
  for (const k of ['definition', 'env', 'tenant', 'faro-url', 'out'] as const) if (!values[k]) usage(`--${k} is required`);
  const apis = (values.api ?? []).map((a) => {
    const i = a.indexOf('=');
    if (i <= 0) usage(`--api takes <name>=<url>, got ${JSON.stringify(a)}`);
    return { name: a.slice(0, i), url: a.slice(i + 1) };
  });
  const { stack } = await loadStack(resolve(values.definition!));
  const config = webAppConfigFor(stack, values.env!, values.tenant!, { faroUrl: values['faro-url']!, apis });
  const out = resolve(values.out!);
  await buildWebApp(config, out);
  console.log(`built ${out} for tenant ${values.tenant} (sampling ${config.samplingRate}, trace context to ${config.propagateTraceHeaderCorsUrls.join(', ')})`);
  if (values.serve !== undefined) {
    const port = Number(values.serve);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) usage(`--serve takes a port, got ${JSON.stringify(values.serve)}`);
    const s = await serveWebApp(out, '127.0.0.1', port);
    console.log(`serving on ${s.origin}/ (the tenant's origins must include it for the Faro receiver's CORS)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  // bad input (a definition that does not load, an unknown tenant): the message alone, exit code 2
  await main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  });
}
