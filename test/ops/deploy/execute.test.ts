// The deploy executor against an in-memory process manager and load balancer that keep state (which version runs,
// which server is drained, sessions, queue depth): the calls happen in the plan's order, a gateway is out of the
// load balancer only between its drain and its UP, and a failed health gate rolls back that one service and aborts
// (the ones before stay on the new version, the ones after are not touched).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { loadStack } from '../../../src/model/load.js';
import {
  composeDeployTarget,
  executeDeploy,
  parseShowStat,
  queueDepth,
  type DeployPlan,
  type HealthGate,
  type LbServerState,
  type LoadBalancer,
  type ProcessManager,
} from '../../../src/ops/deploy/index.js';
import type { LbServer } from '../../../src/ops/deploy/plan.js';

const here = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));
const FAST = { timeouts: { pollMs: 1, healthS: 1, drainS: 1, queuesS: 1, lbUpS: 1 } };

/** A world of services: version running (or stopped), LB server states, queue depth that drains when polled. */
class World implements ProcessManager, LoadBalancer {
  readonly calls: string[] = [];
  readonly running = new Map<string, 'old' | 'new' | 'stopped'>();
  readonly lb = new Map<string, { state: 'ready' | 'drain'; sessions: number }>();
  /** services whose NEW version never becomes healthy */
  readonly brokenNew = new Set<string>();
  /** queue depth per service, decremented per poll */
  readonly queued = new Map<string, number>();
  /** services out of rotation at each moment something was stopped */
  readonly outOfRotationAtStop: string[][] = [];

  constructor(plan: DeployPlan) {
    for (const u of plan.units) {
      this.running.set(u.service, 'old');
      for (const s of u.lbServers) this.lb.set(`${s.backend}/${s.server}`, { state: 'ready', sessions: 2 });
    }
  }
  private outOfRotation(): string[] {
    const out = new Set<string>();
    for (const [k, v] of this.lb) {
      const server = k.split('/')[1]!;
      if (v.state === 'drain' || this.running.get(server) === 'stopped') out.add(server);
    }
    return [...out].sort();
  }
  async pull(services: readonly string[]): Promise<void> {
    this.calls.push(`pull ${services.length}`);
  }
  async stop(service: string, graceS: number): Promise<void> {
    this.calls.push(`stop ${service} ${graceS}`);
    this.outOfRotationAtStop.push(this.outOfRotation());
    this.running.set(service, 'stopped');
  }
  async start(service: string, version: 'next' | 'previous'): Promise<void> {
    this.calls.push(`start ${service} ${version}`);
    this.running.set(service, version === 'next' ? 'new' : 'old');
  }
  async healthy(service: string, _gate: HealthGate): Promise<boolean> {
    const v = this.running.get(service);
    return v === 'old' || (v === 'new' && !this.brokenNew.has(service));
  }
  async metricsText(service: string): Promise<string> {
    const n = this.queued.get(service) ?? 0;
    this.queued.set(service, Math.max(0, n - 1));
    return `# TYPE otelcol_exporter_queue_size gauge\notelcol_exporter_queue_size{data_type="traces",exporter="kafka/traces"} ${n}\notelcol_exporter_queue_size{data_type="logs",exporter="kafka/logs"} 0\n`;
  }
  async setState(s: LbServer, state: 'drain' | 'ready'): Promise<void> {
    this.calls.push(`lb ${s.backend}/${s.server} ${state}`);
    this.lb.get(`${s.backend}/${s.server}`)!.state = state;
  }
  async servers(): Promise<LbServerState[]> {
    return [...this.lb.entries()].map(([k, v]) => {
      const [backend, server] = k.split('/') as [string, string];
      // sessions end once drained (one poll later); status from the process and the admin state
      if (v.state === 'drain') v.sessions = Math.max(0, v.sessions - 1);
      const up = this.running.get(server) !== 'stopped' && !(this.running.get(server) === 'new' && this.brokenNew.has(server));
      return { backend, server, sessions: v.sessions, status: v.state === 'drain' ? 'DRAIN' : up ? 'UP' : 'DOWN' };
    });
  }
}

describe('deploy executor', async () => {
  const stack = (await loadStack(here('examples/scalable'))).stack;
  const { plan } = composeDeployTarget(stack, 'local');

  it('runs every step in the plan order and leaves every service on the new version, all back in rotation', async () => {
    const w = new World(plan);
    w.queued.set('gateway-0', 3);
    const r = await executeDeploy(plan, w, w, FAST);
    assert.equal(r.ok, true, JSON.stringify(r.failed));
    assert.deepEqual(r.deployed, plan.units.map((u) => u.service));
    assert.deepEqual(r.notReached, []);
    assert.ok([...w.running.values()].every((v) => v === 'new'));
    assert.ok([...w.lb.values()].every((v) => v.state === 'ready'));
    assert.deepEqual(w.calls.slice(0, 9), [
      'pull 12',
      'lb gateways_grpc/gateway-0 drain',
      'lb gateways_http/gateway-0 drain',
      'stop gateway-0 60',
      'start gateway-0 next',
      'lb gateways_grpc/gateway-0 ready',
      'lb gateways_http/gateway-0 ready',
      'lb gateways_grpc/gateway-1 drain',
      'lb gateways_http/gateway-1 drain',
    ]);
    assert.deepEqual(r.steps.map((s) => s.action), plan.steps.map((s) => s.action), 'one record per planned step, in order');
    assert.equal(w.queued.get('gateway-0'), 0, 'the stop waited for gateway-0 to empty its queues');
  });

  it('a gateway is stopped only when it is the one out of rotation', async () => {
    const w = new World(plan);
    await executeDeploy(plan, w, w, FAST);
    assert.deepEqual(w.outOfRotationAtStop.slice(0, 2), [['gateway-0'], ['gateway-1']]);
  });

  it('a failed health gate rolls back that one service, leaves the others as they are, and aborts', async () => {
    const w = new World(plan);
    w.brokenNew.add('processor-0');
    const r = await executeDeploy(plan, w, w, FAST);
    assert.equal(r.ok, false);
    assert.equal(r.failed?.service, 'processor-0');
    assert.equal(r.failed?.action, 'wait-healthy');
    assert.match(r.failed!.message, /processor-0 healthy: not within 1 s/);
    assert.deepEqual(r.rollback, { service: 'processor-0', ok: true, message: 'previous version started, healthy' });
    assert.deepEqual(r.deployed, ['gateway-0', 'gateway-1'], 'the gateways stay on the new version');
    assert.equal(w.running.get('processor-0'), 'old', 'processor-0 runs its previous version again');
    assert.deepEqual(r.notReached, ['processor-1', 'kafka-0', 'kafka-1', 'kafka-2', 'tempo', 'mimir', 'loki', 'grafana-0', 'grafana-1']);
    for (const s of r.notReached) assert.equal(w.running.get(s), 'old', `${s} untouched`);
    assert.ok(!w.calls.some((c) => c.includes('processor-1')), 'nothing after the failure was called');
    const tail = w.calls.slice(-3);
    assert.deepEqual(tail, ['start processor-0 next', 'stop processor-0 60', 'start processor-0 previous']);
    assert.equal(r.steps.at(-1)!.action, 'rollback');
  });

  it('a gateway whose new version fails is rolled back and put back in the load balancer', async () => {
    const w = new World(plan);
    w.brokenNew.add('gateway-1');
    const r = await executeDeploy(plan, w, w, FAST);
    assert.equal(r.failed?.service, 'gateway-1');
    assert.equal(r.rollback?.ok, true);
    assert.match(r.rollback!.message, /back in the load balancer/);
    assert.equal(w.running.get('gateway-1'), 'old');
    assert.ok([...w.lb.values()].every((v) => v.state === 'ready'));
    assert.deepEqual(r.deployed, ['gateway-0']);
  });

  it('queues that do not empty abort before the stop: the gateway goes back in rotation, nothing was stopped', async () => {
    const w = new World(plan);
    w.queued.set('gateway-0', 1_000_000);
    const r = await executeDeploy(plan, w, w, FAST);
    assert.equal(r.failed?.action, 'wait-queues');
    assert.match(r.failed!.message, /gateway-0 was not stopped; it was put back in the load balancer/);
    assert.equal(r.rollback, undefined);
    assert.ok(!w.calls.some((c) => c.startsWith('stop')));
    assert.ok([...w.lb.values()].every((v) => v.state === 'ready'));
  });

  it('a gateway that reports no exporter queue size is not stopped: nothing tells it drained', async () => {
    const w = new World(plan);
    w.metricsText = async () => '# TYPE up gauge\nup 1\n';
    const r = await executeDeploy(plan, w, w, FAST);
    assert.equal(r.failed?.action, 'wait-queues');
    assert.equal(r.failed?.service, 'gateway-0');
    assert.match(r.failed!.message, /reports no exporter queue size/);
    assert.ok(!w.calls.some((c) => c.startsWith('stop')));
  });

  it('a failed pull stops nothing and leaves every service not reached', async () => {
    const w = new World(plan);
    w.pull = async () => {
      throw new Error('registry unreachable');
    };
    const r = await executeDeploy(plan, w, w, FAST);
    assert.equal(r.failed?.action, 'pull');
    assert.deepEqual(r.notReached, plan.units.map((u) => u.service));
    assert.ok(!w.calls.some((c) => c.startsWith('stop')));
  });

  it('a rollback that fails too says so', async () => {
    const w = new World(plan);
    w.brokenNew.add('tempo');
    w.start = async (service, version) => {
      w.calls.push(`start ${service} ${version}`);
      if (version === 'previous') throw new Error('image gone');
      w.running.set(service, 'new');
    };
    const r = await executeDeploy(plan, w, w, FAST);
    assert.equal(r.failed?.service, 'tempo');
    assert.equal(r.rollback?.ok, false);
    assert.match(r.rollback!.message, /rollback failed: image gone/);
  });
});

describe('deploy: metric and runtime API parsing', () => {
  it('queue depth sums otelcol_exporter_queue_size over exporters; absent when no queue is reported', () => {
    assert.equal(queueDepth('otelcol_exporter_queue_size{exporter="a",data_type="traces"} 4\notelcol_exporter_queue_size{exporter="b"} 3\nother 9\n'), 7);
    assert.equal(queueDepth('# nothing\nup 1\n'), undefined);
  });

  it('show stat: server rows by backend, sessions and status; aggregate rows skipped', () => {
    const csv = '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight\n' +
      'otlp_http,FRONTEND,,,1,2,,,,,,,,,,,,OPEN,\n' +
      'gateways_http,gateway-0,0,0,0,1,,5,,,,,,,,,,DRAIN,0\n' +
      'gateways_http,gateway-1,0,0,3,4,,9,,,,,,,,,,UP,1\n' +
      'gateways_http,BACKEND,0,0,3,4,,14,,,,,,,,,,UP,1\n';
    assert.deepEqual(parseShowStat(csv), [
      { backend: 'gateways_http', server: 'gateway-0', sessions: 0, status: 'DRAIN' },
      { backend: 'gateways_http', server: 'gateway-1', sessions: 3, status: 'UP' },
    ]);
  });
});
