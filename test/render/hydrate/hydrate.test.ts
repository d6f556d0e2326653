// `otelstack render --hydrate` end to end with the real helm, on our own chart fixture staged as the chart the
// rendered Application pins (mimir-distributed at the pinned version). The fixture deploys the values' workloads,
// plus a cache the values never mention, a chart-default CPU limit on the querier and a compactor without a
// replicas value — each must come back as a finding with env, engine, workload, expected and found.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { chartVersion } from '../../../src/catalog/versions.js';
import type { HydratedRelease, HydrateFinding } from '../../../src/render/hydrate/index.js';
import { BIN, ROOT } from '../../support/paths.js';
import { helmBin, packageChart, stageChart } from './support.js';

const CHART = 'mimir-distributed';
const VERSION = chartVersion(CHART);

const DEFINITION = `
name: demo
conventions: { bucket: 'demo-{signal}-{env}-{purpose}' }
objectStorage: { s3: { kind: seaweedfs, endpoint: 'http://s3.local:8333', credentials: { secretName: s3-creds } } }
environments:
  - { name: dev, namespace: demo-dev, target: kubernetes, objectStorage: s3 }
signals:
  metrics:
    engine: mimir
    environments:
      dev:
        mode: microservices
        ingestStorage: false
        components: { compactor: { replicas: 2 }, ruler: { replicas: 1 } }
`;

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function render(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [BIN, 'render', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, HELM_BIN: helmBin(), ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface JsonOut {
  files: string[];
  hydrate: { releases: HydratedRelease[]; findings: HydrateFinding[] };
}

describe('render --hydrate (real helm, our chart fixture)', () => {
  let dir: string;
  let def: string;
  let charts: string;
  let out: string;
  let run: Run;
  let json: JsonOut;

  before(() => {
    helmBin(); // fails here, with the installer to run, when helm is missing
    dir = mkdtempSync(join(tmpdir(), 'otelstack-hydrate-test-'));
    def = join(dir, 'stack.yaml');
    writeFileSync(def, DEFINITION);
    charts = join(dir, 'charts');
    stageChart(charts, CHART, VERSION);
    out = join(dir, 'out');
    run = render([def, '--out', out, '--hydrate', '--charts', charts, '--json']);
    json = JSON.parse(run.out) as JsonOut;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const find = (rule: string, workload: string) => json.hydrate.findings.filter((f) => f.rule === rule && f.workload === workload);

  it('writes the hydrated manifests beside the values, with everything else, and exits 1 on error findings', () => {
    assert.equal(run.code, 1, run.err);
    const path = 'kubernetes/dev/hydrated/mimir.yaml';
    assert.ok(json.files.includes(path), `files: ${json.files.join(', ')}`);
    assert.ok(json.files.includes('kubernetes/dev/values/mimir.yaml'));
    const text = readFileSync(join(out, path), 'utf8');
    assert.match(text, new RegExp(`^# Hydrated by otelstack render --hydrate: helm template mimir ${CHART} --version ${VERSION} --namespace demo-dev`));
    const kinds = parseAllDocuments(text).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace: string } } | null).filter((o) => o !== null);
    assert.deepEqual(kinds.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
      'Deployment/mimir-distributor', 'Deployment/mimir-gateway', 'Deployment/mimir-querier', 'Deployment/mimir-query-frontend',
      'StatefulSet/mimir-cache', 'StatefulSet/mimir-compactor', 'StatefulSet/mimir-ingester', 'StatefulSet/mimir-store-gateway',
    ]);
    assert.ok(kinds.every((o) => o.metadata.namespace === 'demo-dev'));
    assert.deepEqual(json.hydrate.releases.map((r) => [r.env, r.engine, r.chart, r.version, r.path, r.workloads]), [['dev', 'mimir', CHART, VERSION, path, 8]]);
    assert.match(run.err, /hydrate: helm template of 1 release\(s\), 8 workload\(s\) checked against the plan/);
  });

  it('--check --hydrate finds the written output up to date (hydrated files included)', () => {
    const r = render([def, '--out', out, '--hydrate', '--charts', charts, '--check', '--json']);
    const j = JSON.parse(r.out) as { upToDate: boolean };
    assert.equal(j.upToDate, true, r.out);
    assert.equal(r.code, 1, 'still exits 1: the findings stand');
  });

  it('a workload the plan does not budget is a finding (the fixture cache)', () => {
    const [f, ...rest] = find('hydrate-unbudgeted-workload', 'StatefulSet/mimir-cache');
    assert.ok(f, JSON.stringify(json.hydrate.findings, null, 1));
    assert.equal(rest.length, 0);
    assert.equal(f.severity, 'error');
    assert.equal(f.env, 'dev');
    assert.equal(f.engine, 'mimir');
    assert.equal(f.path, 'signals.metrics.environments.dev');
    assert.match(f.expected, /not in the plan/);
    assert.match(f.found, /1 replica\(s\), requests cpu 50m memory 64Mi/);
    // and no other workload is reported unbudgeted
    assert.deepEqual(json.hydrate.findings.filter((x) => x.rule === 'hydrate-unbudgeted-workload').map((x) => x.workload), ['StatefulSet/mimir-cache']);
    // its memory limit breaks the policy too (memory limits only on ingester, store-gateway)
    assert.equal(find('hydrate-memory-limit', 'StatefulSet/mimir-cache').length, 1);
  });

  it('a CPU limit from a chart default is a finding, with the definition path to fix', () => {
    const fs = find('hydrate-cpu-limit', 'Deployment/mimir-querier');
    assert.equal(fs.length, 1, JSON.stringify(json.hydrate.findings, null, 1));
    assert.equal(fs[0]!.path, 'signals.metrics.environments.dev.components.querier.cpuLimit');
    assert.equal(fs[0]!.expected, 'no CPU limit');
    assert.equal(fs[0]!.found, 'limits.cpu 1000m');
    assert.deepEqual(json.hydrate.findings.filter((x) => x.rule === 'hydrate-cpu-limit').map((x) => x.workload), ['Deployment/mimir-querier']);
  });

  it('a replica count other than planned is a finding (a chart without the replicas key)', () => {
    const fs = find('hydrate-replicas', 'StatefulSet/mimir-compactor');
    assert.equal(fs.length, 1, JSON.stringify(json.hydrate.findings, null, 1));
    assert.equal(fs[0]!.path, 'signals.metrics.environments.dev.components.compactor.replicas');
    assert.equal(fs[0]!.expected, '2 replica(s)');
    assert.equal(fs[0]!.found, '1 replica(s)');
    assert.deepEqual(json.hydrate.findings.filter((x) => x.rule === 'hydrate-replicas').map((x) => x.workload), ['StatefulSet/mimir-compactor']);
  });

  it('requests, memory limits and volumes as planned give no finding; a planned component the chart lacks does', () => {
    for (const rule of ['hydrate-requests', 'hydrate-storage', 'hydrate-unbudgeted-container', 'hydrate-template']) {
      assert.deepEqual(json.hydrate.findings.filter((x) => x.rule === rule), [], rule);
    }
    // ingester and store-gateway carry the policy's memory limits: no memory-limit finding on them
    assert.deepEqual(json.hydrate.findings.filter((x) => x.rule === 'hydrate-memory-limit').map((x) => x.workload), ['StatefulSet/mimir-cache']);
    const ruler = json.hydrate.findings.filter((x) => x.rule === 'hydrate-missing-workload');
    assert.deepEqual(ruler.map((x) => [x.workload, x.expected, x.found]), [['mimir-ruler', '1 replica(s)', 'no workload']]);
  });

  it('finds the packaged chart in Helm\'s repository cache when --charts is not given', () => {
    const cache = join(dir, 'helm-repository-cache');
    packageChart(join(charts, CHART), cache);
    assert.ok(existsSync(join(cache, `${CHART}-${VERSION}.tgz`)));
    const out2 = join(dir, 'out-cache');
    const r = render([def, '--out', out2, '--hydrate', '--json'], { HELM_REPOSITORY_CACHE: cache });
    assert.equal(r.code, 1, r.err);
    const j = JSON.parse(r.out) as JsonOut;
    assert.equal(j.hydrate.releases[0]!.chartPath, join(cache, `${CHART}-${VERSION}.tgz`));
    assert.equal(readFileSync(join(out2, 'kubernetes/dev/hydrated/mimir.yaml'), 'utf8'), readFileSync(join(out, 'kubernetes/dev/hydrated/mimir.yaml'), 'utf8'));
  });

  it('a missing chart exits 2 naming the chart, its version and where it looked; nothing is written', () => {
    const empty = join(dir, 'no-charts');
    const out3 = join(dir, 'out-missing');
    const r = render([def, '--out', out3, '--hydrate', '--charts', empty]);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.out, '');
    assert.match(r.err, new RegExp(`chart ${CHART} ${VERSION} not found; looked in: ${empty}/${CHART}/, ${empty}/${CHART}-${VERSION}\\.tgz`));
    assert.match(r.err, /needed by kubernetes\/dev\/applications\/mimir\.yaml/);
    assert.match(r.err, /suggestion: put the chart at/);
    assert.equal(existsSync(out3), false);
  });

  it('a chart of the right name at another version is refused (exit 2), in a directory or an archive', () => {
    const wrong = join(dir, 'wrong');
    stageChart(wrong, CHART, '5.9.9');
    packageChart(join(wrong, CHART), wrong);
    const out4 = join(dir, 'out-wrong');
    const r = render([def, '--out', out4, '--hydrate', '--charts', wrong]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, new RegExp(`refused ${wrong}/${CHART}: it is ${CHART} 5\\.9\\.9, the Application pins ${VERSION}`));
    assert.match(r.err, new RegExp(`refused ${wrong}/${CHART}-5\\.9\\.9\\.tgz: it is ${CHART} 5\\.9\\.9`));
    assert.equal(existsSync(out4), false);
  });

  it('no helm exits 2 and says how to get one', () => {
    const r = render([def, '--out', join(dir, 'out-nohelm'), '--hydrate', '--charts', charts], { HELM_BIN: join(dir, 'no-such-helm') });
    assert.equal(r.code, 2);
    assert.match(r.err, /--hydrate needs the helm binary; looked at HELM_BIN=.*no-such-helm \(not executable\)/);
    assert.match(r.err, /scripts\/peers\/install-all\.sh helm/);
  });

  it('a chart refusing the values (a template guard) is an error finding with helm\'s words; that release writes no manifests', () => {
    const def2 = join(dir, 'guarded.yaml');
    writeFileSync(def2, DEFINITION.replace('compactor: { replicas: 2 }', 'compactor: { replicas: 2 }, distributor: { replicas: 4 }'));
    const out5 = join(dir, 'out-guard');
    const r = render([def2, '--out', out5, '--hydrate', '--charts', charts, '--json']);
    assert.equal(r.code, 1, r.err);
    const j = JSON.parse(r.out) as JsonOut;
    assert.deepEqual(j.hydrate.findings.map((f) => [f.rule, f.env, f.engine, f.workload]), [['hydrate-template', 'dev', 'mimir', 'release mimir']]);
    assert.match(j.hydrate.findings[0]!.found, /^Error: .*distributor\.disruptionBudget is required when distributor\.replicas > 3/);
    assert.doesNotMatch(j.hydrate.findings[0]!.message, /Use --debug/);
    assert.equal(j.hydrate.releases[0]!.path, undefined);
    assert.equal(existsSync(join(out5, 'kubernetes/dev/hydrated/mimir.yaml')), false);
    assert.ok(existsSync(join(out5, 'kubernetes/dev/values/mimir.yaml')), 'the rest is still written');
  });

  it('--charts without --hydrate is a usage error', () => {
    const r = render([def, '--out', join(dir, 'out-usage'), '--charts', charts]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--charts is only used with --hydrate/);
  });
});
