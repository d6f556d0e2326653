// The real consumer of the rendered compose files: Docker Compose v2 itself (scripts/peers/compose.sh builds it).
// Every bundled example with a compose environment, plus the single-node variants the renderer branches on, is
// rendered into a temporary directory as `otelstack render` lays it out; `docker-compose config` (which loads,
// validates and normalises the project without a Docker daemon) must accept each file, and its normalised JSON must
// still say what otelstack means: rotated json-file logs on every service, the healthchecks otelstack renders (and a
// healthcheck behind every `service_healthy` dependency), and loopback publications bound to 127.0.0.1.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { CATALOG } from '../../../src/catalog/index.js';
import { HAPROXY } from '../../../src/catalog/support.js';
import { loadStack } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { renderStack } from '../../../src/render/index.js';
import { renderTopology } from '../../../src/render/topology.js';
import { composeLoopbackPorts, LOOPBACK_HOST } from '../../../src/topology/loopback.js';
import { composeBin } from '../../e2e/support/peers.js';
import { ROOT } from '../../support/paths.js';

interface Case {
  readonly name: string;
  readonly stack: Stack;
}

// the directories holding a definition (examples/apps holds the sample applications, no definition)
const exampleDirs = readdirSync(join(ROOT, 'examples'))
  .filter((d) => statSync(join(ROOT, 'examples', d)).isDirectory() && ['stack.ts', 'stack.yaml'].some((f) => existsSync(join(ROOT, 'examples', d, f))))
  .sort();

async function cases(): Promise<Case[]> {
  const out: Case[] = [];
  for (const d of exampleDirs) {
    const { stack } = await loadStack(join(ROOT, 'examples', d));
    if (stack.environments.some((e) => e.target === 'compose')) out.push({ name: d, stack });
  }
  // the single-node variants the compose renderer branches on (object store kind, gateways behind HAProxy, log sizes)
  const single = out.find((c) => c.name === 'single-node');
  if (single) {
    const variant = (name: string, mutate: (s: Stack) => void): Case => {
      const s = structuredClone(single.stack);
      mutate(s);
      return { name: `single-node (${name})`, stack: s };
    };
    const store = (s: Stack) => s.objectStorage['local-s3']!;
    out.push(
      variant('minio', (s) => { store(s).kind = 'minio'; store(s).endpoint = 'http://minio:9000'; }),
      variant('s3', (s) => { store(s).kind = 's3'; store(s).endpoint = 'https://s3.eu-west-1.amazonaws.com'; store(s).region = 'eu-west-1'; store(s).insecure = false; }),
      variant('3 gateways', (s) => { s.ingestion!.environments!['local']!.gateway!.replicas = 3; }),
      variant('logs 10m x 3', (s) => { s.environments[0]!.logs = { maxSize: '10m', maxFiles: 3 }; }),
    );
  }
  return out;
}

interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

describe('compose: the rendered files are accepted by the real docker-compose config', async () => {
  const all = await cases();
  let work = '';
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'otelstack-compose-config-'));
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** docker-compose with no daemon, no user config and none of the caller's COMPOSE_* variables. */
  // looked up in each test, so a missing binary fails every test with the installer to run (not cancelled by a hook)
  const compose = (dir: string, args: string[]): Run => {
    const bin = composeBin();
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('COMPOSE_') && !k.startsWith('DOCKER_')) env[k] = v;
    env['DOCKER_HOST'] = `unix://${join(work, 'no-docker.sock')}`;
    env['DOCKER_CONFIG'] = join(work, 'docker-config');
    const r = spawnSync(bin, ['-f', join(dir, 'docker-compose.yaml'), '--project-directory', dir, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
  };

  it('there are compose examples to check', () => {
    assert.ok(all.some((c) => c.name === 'single-node') && all.some((c) => c.name === 'scalable'), all.map((c) => c.name).join(', '));
  });

  for (const c of all) {
    describe(c.name, () => {
      const r = renderStack(c.stack);
      const envs = c.stack.environments.filter((e) => e.target === 'compose');
      it('renders without error findings', () => assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), []));

      for (const e of envs) {
        const rel = `compose/${e.name}/docker-compose.yaml`;
        const slug = c.name.replace(/[^\w.-]+/g, '_');
        const dirOf = () => join(work, slug, 'compose', e.name);
        const rendered = () => parse(r.files.get(rel)!) as any;
        let json: any;
        const envFiles = (): string[] => [...new Set(Object.values<any>(rendered().services).flatMap((s) => (s.env_file ?? []).map((f: any) => String(typeof f === 'string' ? f : f.path))))].sort();
        /** The rendered files, then the secret env files as the rendered README tells the user to create them. */
        const writeOnce = () => {
          if (statSafe(join(work, slug))) return;
          for (const [p, content] of r.files) {
            const f = join(work, slug, p);
            mkdirSync(dirname(f), { recursive: true });
            writeFileSync(f, content);
          }
          const readme = r.files.get(`compose/${e.name}/README.md`) ?? '';
          for (const f of envFiles()) writeFileSync(join(dirOf(), f), secretKeys(readme, f).map((k) => `${k}=placeholder\n`).join(''));
        };

        it(`${rel}: every env file it reads is one the README tells the user to create, and compose names it when missing`, () => {
          const readme = r.files.get(`compose/${e.name}/README.md`) ?? '';
          const files = envFiles();
          for (const f of files) assert.ok(secretKeys(readme, f).length > 0, `${f}: the README lists its keys`);
          if (files.length === 0) return;
          // before the user has written them, compose refuses the project and says which file is missing
          const bare = join(work, `${slug}-no-secrets`, 'compose', e.name);
          mkdirSync(bare, { recursive: true });
          writeFileSync(join(bare, 'docker-compose.yaml'), r.files.get(rel)!);
          const q = compose(bare, ['config', '--quiet']);
          assert.notEqual(q.code, 0, 'compose loads a project whose secret env files do not exist');
          assert.match(q.err, /env file .*\.env not found/, q.err);
        });

        it(`${rel}: config --quiet exits 0 with no warnings`, () => {
          assert.ok(r.files.has(rel), `${rel} rendered`);
          writeOnce();
          const q = compose(dirOf(), ['config', '--quiet']);
          assert.equal(q.code, 0, `docker-compose config --quiet refused ${rel}:\n${q.err}`);
          assert.equal(q.err.trim(), '', `docker-compose config warned about ${rel}:\n${q.err}`);
        });

        it(`${rel}: config --format json keeps rotated logs, healthchecks and loopback ports`, () => {
          writeOnce();
          const j = compose(dirOf(), ['config', '--format', 'json']);
          assert.equal(j.code, 0, `docker-compose config --format json refused ${rel}:\n${j.err}`);
          json = JSON.parse(j.out);
          const doc = rendered();
          assert.deepEqual(Object.keys(json.services).sort(), Object.keys(doc.services).sort(), 'compose sees every rendered service');
          const logs = e.logs;
          for (const [name, s] of Object.entries<any>(json.services)) {
            // log rotation: the json-file driver with the definition's max-size × max-file
            assert.equal(s.logging?.driver, 'json-file', `${name}: json-file logging driver`);
            assert.equal(s.logging?.options?.['max-size'], logs.maxSize, `${name}: max-size`);
            assert.equal(s.logging?.options?.['max-file'], String(logs.maxFiles), `${name}: max-file`);
            // healthchecks where otelstack renders them, and nothing where it does not
            const want = doc.services[name].healthcheck;
            if (want) {
              assert.notEqual(s.healthcheck?.disable, true, `${name}: healthcheck not disabled`);
              assert.deepEqual(s.healthcheck?.test, want.test, `${name}: healthcheck test`);
              for (const k of ['interval', 'timeout', 'retries', 'start_period'] as const) if (want[k] !== undefined) assert.ok(s.healthcheck[k] !== undefined, `${name}: healthcheck ${k}`);
            } else assert.equal(s.healthcheck?.test, undefined, `${name}: no healthcheck compose would invent`);
            // a service_healthy dependency must have a healthcheck in compose's view, else `up` cannot ever start it
            for (const [dep, d] of Object.entries<any>(s.depends_on ?? {})) {
              if (d.condition === 'service_healthy') assert.ok(json.services[dep]?.healthcheck?.test, `${name} waits for ${dep} to be healthy: ${dep} has a healthcheck`);
            }
          }
          // loopback: what verify reads (composeLoopbackPorts) and the HAProxy runtime API bind 127.0.0.1 only
          const t = renderTopology(c.stack, e.name);
          const loopback = composeLoopbackPorts(t).map((p) => ({ service: p.service, target: p.containerPort, published: String(p.hostPort) }));
          if (json.services['otlp-lb']) loopback.push({ service: 'otlp-lb', target: HAPROXY.ports.runtimeApi, published: String(HAPROXY.ports.runtimeApi) });
          assert.ok(loopback.length > 0, 'something is published on loopback');
          for (const l of loopback) {
            const p = (json.services[l.service]?.ports ?? []).find((x: any) => x.target === l.target && x.published === l.published);
            assert.ok(p, `${l.service}: publishes ${l.published}:${l.target} (${JSON.stringify(json.services[l.service]?.ports)})`);
            assert.equal(p.host_ip, LOOPBACK_HOST, `${l.service}: ${l.published}:${l.target} bound to ${LOOPBACK_HOST}`);
          }
          // and whatever is published on every interface is what otelstack means to be public: OTLP ingestion, the
          // Faro (browser) endpoint where the definition enables it and the tenants' Faro ports (seed 003), Grafana
          const otlp = [CATALOG.otelcol.ports['otlpGrpc'], CATALOG.otelcol.ports['otlpHttp'], ...(t.ingestion?.faro ? [t.ingestion.faro.port] : []), ...(t.tenants ?? []).map((tn) => tn.faroPort)];
          for (const [name, s] of Object.entries<any>(json.services)) {
            for (const p of s.ports ?? []) {
              if (p.host_ip === LOOPBACK_HOST) {
                assert.ok(loopback.some((l) => l.service === name && l.target === p.target), `${name}: ${p.published}:${p.target} on loopback is one otelstack means`);
                continue;
              }
              const pub = otlp.includes(p.target) || (name.startsWith('grafana') && p.target === CATALOG.grafana.ports['http']);
              assert.ok(pub, `${name}: ${p.published}:${p.target} is published on every interface (host_ip ${p.host_ip ?? 'unset'})`);
            }
          }
        });
      }
    });
  }
});

/** The variable names the README's bullet for `file` lists in backticks (`- \`s3.env\`: \`AWS_ACCESS_KEY_ID=…\` …`). */
function secretKeys(readme: string, file: string): string[] {
  const line = readme.split('\n').find((l) => l.startsWith(`- \`${file}\``));
  return line ? [...line.matchAll(/`([A-Z][A-Z0-9_]+)(?:=[^`]*)?`/g)].map((m) => m[1]!) : [];
}

function statSafe(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
