// The rolling-deploy plan of the bundled compose examples: the order (gateways one at a time, each drained, its
// queues waited for, stopped with its grace, started, health-gated, put back and seen UP before the next; then
// processors, brokers, engines, Grafana), what it reads from the catalog (grace periods, readiness URLs, queue
// metric) and what it says plainly (a single gateway without a load balancer cannot be zero-downtime).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { readyUrl } from '../../../src/catalog/index.js';
import { STOP_GRACE_SECONDS } from '../../../src/render/configs/lifecycle.js';
import { HAPROXY_BACKENDS } from '../../../src/render/compose/haproxy.js';
import { loadStack } from '../../../src/model/load.js';
import type { Stack } from '../../../src/model/schema.js';
import { DeployError, composeDeployTarget, formatPlan, planDeploy } from '../../../src/ops/deploy/index.js';
import { expand } from '../../../src/topology/expand.js';

const here = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));
const example = async (name: string): Promise<Stack> => structuredClone((await loadStack(here(`examples/${name}`))).stack);

describe('deploy plan: scalable (HAProxy → 2 gateways → Kafka ×3 → 2 processors)', async () => {
  const stack = await example('scalable');
  const { plan } = composeDeployTarget(stack, 'local');

  it('rolls gateways, processors, brokers, engines, Grafana — in that order, one service at a time', () => {
    assert.deepEqual(
      plan.units.map((u) => u.service),
      ['gateway-0', 'gateway-1', 'processor-0', 'processor-1', 'kafka-0', 'kafka-1', 'kafka-2', 'tempo', 'mimir', 'loki', 'grafana-0', 'grafana-1'],
    );
    assert.equal(plan.project, 'scalable-local');
    assert.deepEqual(plan.loadBalancer, { service: 'otlp-lb', runtimeApi: { host: '127.0.0.1', port: 9999 } });
  });

  it('each gateway: drain → no sessions → queues empty → stop → start → ready → enable → UP, before the next gateway is touched', () => {
    const actions = (service: string) => plan.steps.filter((s) => s.service === service).map((s) => s.action);
    const gw = ['drain', 'wait-drained', 'wait-queues', 'stop', 'start', 'wait-healthy', 'enable', 'wait-lb-up'];
    assert.deepEqual(actions('gateway-0'), gw);
    assert.deepEqual(actions('gateway-1'), gw);
    const lastOf0 = Math.max(...plan.steps.filter((s) => s.service === 'gateway-0').map((s) => s.n));
    const firstOf1 = Math.min(...plan.steps.filter((s) => s.service === 'gateway-1').map((s) => s.n));
    assert.equal(firstOf1, lastOf0 + 1, 'gateway-1 starts draining only after gateway-0 is UP again');
    assert.equal(plan.steps[0]!.action, 'pull', 'images are pulled before anything stops');
    assert.deepEqual(plan.steps.map((s) => s.n), plan.steps.map((_, i) => i + 1));
  });

  it('drains each gateway in both HAProxy backends, by its service name', () => {
    const g = plan.units[0]!;
    assert.deepEqual(g.lbServers, [{ backend: HAPROXY_BACKENDS.grpc, server: 'gateway-0' }, { backend: HAPROXY_BACKENDS.http, server: 'gateway-0' }]);
    assert.equal(g.waitQueues, true);
    assert.deepEqual(g.metrics, { url: 'http://gateway-0:8888/metrics', via: 'gateway-0-ready' });
  });

  it('with Faro on, a gateway is drained in the Faro backend too', () => {
    const s = structuredClone(stack);
    s.ingestion!.faro = { enabled: true, allowedOrigins: ['https://app.example.com'] } as never;
    const g = composeDeployTarget(s, 'local').plan.units[0]!;
    assert.deepEqual(g.lbServers.map((x) => x.backend), [HAPROXY_BACKENDS.grpc, HAPROXY_BACKENDS.http, HAPROXY_BACKENDS.faro]);
  });

  it('grace periods and health gates come from the catalog facts the renderer used', () => {
    const by = (s: string) => plan.units.find((u) => u.service === s)!;
    assert.equal(by('gateway-0').graceS, STOP_GRACE_SECONDS.otelcol);
    assert.equal(by('kafka-1').graceS, STOP_GRACE_SECONDS.kafka);
    assert.equal(by('tempo').graceS, STOP_GRACE_SECONDS.tempo);
    assert.deepEqual(by('gateway-1').health, { kind: 'ready-url', url: readyUrl('otelcol', 'gateway-1'), via: 'gateway-1-ready' });
    assert.deepEqual(by('loki').health, { kind: 'ready-url', url: readyUrl('loki', 'loki'), via: 'loki-ready' });
    // Tempo probes itself, Kafka runs kafka-broker-api-versions: their own compose healthchecks
    assert.deepEqual(by('tempo').health, { kind: 'healthcheck', service: 'tempo' });
    assert.deepEqual(by('kafka-0').health, { kind: 'healthcheck', service: 'kafka-0' });
  });

  it('processors, brokers and engines are not behind the load balancer: stop → start → healthy, no queue wait', () => {
    for (const s of ['processor-0', 'kafka-2', 'mimir', 'grafana-1']) {
      assert.deepEqual(plan.steps.filter((x) => x.service === s).map((x) => x.action), ['stop', 'start', 'wait-healthy'], s);
    }
  });

  it('leaves the load balancer, the stores, the one-shot jobs and the probes alone, and says why', () => {
    const left = Object.fromEntries(plan.untouched.map((u) => [u.service, u.why]));
    assert.match(left['otlp-lb']!, /load balancer itself/);
    assert.match(left['seaweedfs']!, /stateful store/);
    assert.match(left['postgresql']!, /stateful store/);
    assert.match(left['kafka-init']!, /one-shot/);
    assert.match(left['gateway-0-ready']!, /probe of gateway-0/);
    assert.deepEqual(plan.notes, [], 'everything rolls without downtime of OTLP ingestion here');
  });

  it('--only narrows the phases; the rest are listed as not selected', () => {
    const only = composeDeployTarget(stack, 'local', { only: ['gateways'] }).plan;
    assert.deepEqual(only.units.map((u) => u.service), ['gateway-0', 'gateway-1']);
    assert.match(only.untouched.find((u) => u.service === 'processor-0')!.why, /not selected/);
  });

  it('the dry-run text lists every step in order, with the phase headings', () => {
    const text = formatPlan(plan).join('\n');
    assert.match(text, /gateways:\n\s+2\. drain gateway-0/);
    assert.ok(text.indexOf('processors:') < text.indexOf('brokers:') && text.indexOf('brokers:') < text.indexOf('engines:'));
  });
});

describe('deploy plan: single-node (one gateway, no load balancer)', async () => {
  const stack = await example('single-node');

  it('rolls the canary last, on its own healthcheck, so it reads the new definition copy; --only canary rolls just it', () => {
    const { plan } = composeDeployTarget(stack, 'local');
    const last = plan.units[plan.units.length - 1]!;
    assert.equal(last.service, 'otelstack-canary');
    assert.equal(last.phase, 'canary');
    assert.deepEqual(last.health, { kind: 'healthcheck', service: 'otelstack-canary' });
    assert.ok(!plan.untouched.some((u) => u.service === 'otelstack-canary'));
    const only = composeDeployTarget(stack, 'local', { only: ['canary'] }).plan;
    assert.deepEqual(only.units.map((u) => u.service), ['otelstack-canary']);
  });

  it('says plainly that the only gateway cannot be drained, and still stops it with its grace and health-gates it', () => {
    const { plan } = composeDeployTarget(stack, 'local');
    assert.equal(plan.loadBalancer, undefined);
    const g = plan.units[0]!;
    assert.equal(g.service, 'gateway-0');
    assert.deepEqual(g.lbServers, []);
    assert.deepEqual(plan.steps.filter((s) => s.service === 'gateway-0').map((s) => s.action), ['stop', 'start', 'wait-healthy']);
    assert.equal(g.graceS, STOP_GRACE_SECONDS.otelcol);
    assert.equal(plan.notes.length, 1);
    assert.match(plan.notes[0]!, /gateway-0 is the only gateway.*cannot be zero-downtime/);
    assert.deepEqual(g.notes, plan.notes);
  });

  it('three gateways put the load balancer in front, and each is drained', () => {
    const s = structuredClone(stack);
    s.ingestion!.environments!['local']!.gateway!.replicas = 3;
    const { plan } = composeDeployTarget(s, 'local');
    assert.ok(plan.loadBalancer);
    // OTLP gRPC, OTLP HTTP and Faro (examples/single-node posts browser telemetry through the gateways)
    assert.deepEqual(plan.units.filter((u) => u.phase === 'gateways').map((u) => u.lbServers.length), [3, 3, 3]);
    assert.deepEqual(plan.notes, []);
  });
});

describe('deploy plan: bad input', async () => {
  it('a Kubernetes environment is refused with a suggestion', async () => {
    const stack = await example('dts');
    assert.throws(() => composeDeployTarget(stack, 'dev'), (e: unknown) => e instanceof DeployError && /runs on kubernetes, not compose/.test(e.message) && e.suggestion !== undefined);
  });

  it('an unknown environment names the ones there are', async () => {
    const stack = await example('scalable');
    assert.throws(() => composeDeployTarget(stack, 'prod'), (e: unknown) => e instanceof DeployError && /no environment "prod"/.test(e.message) && /local/.test(e.suggestion ?? ''));
  });

  it('a compose file that lacks a service of the topology is refused (renderer and plan must agree)', async () => {
    const stack = await example('scalable');
    const t = expand(stack, 'local');
    const compose = { name: 'x', services: { 'gateway-0': { healthcheck: {} } } };
    assert.throws(() => planDeploy(t, compose), (e: unknown) => e instanceof DeployError && /no service gateway-1/.test(e.message));
  });
});
