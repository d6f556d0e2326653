// A real Kafka (KRaft) cluster on loopback, run with scripts/peers/kafka-run.sh: N nodes, each broker+controller,
// with their data in the test's temp dir. Topics are created with Kafka's own TopicCommand from the topology's
// topic plans (the definition's partitions; replication and min.insync.replicas as toLoopback capped them).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { KafkaTopicPlan } from '../../../src/topology/types.js';
import { kafkaPeer, type KafkaPeer } from './peers.js';
import { groupAlive, trackGroup, untrackGroup } from './proc.js';

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kafka-run.sh in its own process group (the brokers it launches stay in that group) with a bounded wait. */
function runScript(peer: KafkaPeer, args: readonly string[], timeoutMs: number, groups: Set<number>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [peer.runScript, ...args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KAFKA_LIB_DIR: peer.libDir },
    });
    if (child.pid === undefined) {
      reject(new Error('could not start kafka-run.sh'));
      return;
    }
    const pgid = child.pid;
    groups.add(pgid);
    trackGroup(pgid);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export class KafkaCluster {
  /** process groups of every kafka-run.sh invocation (brokers live in them) */
  private readonly groups = new Set<number>();

  private constructor(
    private readonly peer: KafkaPeer,
    readonly dir: string,
    readonly nodes: number,
    readonly ports: readonly number[],
  ) {}

  /** Starts `nodes` brokers on free loopback ports; bounded (timeoutS per the script's own readiness wait). */
  static async start(dir: string, nodes: number, timeoutS = 120): Promise<KafkaCluster> {
    const peer = kafkaPeer();
    const groups = new Set<number>();
    const r = await runScript(peer, ['start', '--dir', dir, '--nodes', String(nodes), '--timeout', String(timeoutS)], (timeoutS + 60) * 1000, groups);
    if (r.code !== 0) {
      // do not leave half a cluster behind
      await runScript(peer, ['stop', '--dir', dir], 60_000, groups).catch(() => undefined);
      for (const g of groups) {
        try {
          process.kill(-g, 'SIGKILL');
        } catch {
          /* gone */
        }
        untrackGroup(g);
      }
      throw new Error(`kafka-run.sh start failed (exit ${r.code}):\n${r.stderr.slice(-3000)}`);
    }
    const m = /KAFKA_BOOTSTRAP=(\S+)/.exec(r.stdout);
    if (!m) throw new Error(`kafka-run.sh start printed no KAFKA_BOOTSTRAP:\n${r.stdout}`);
    const ports = m[1]!.split(',').map((hp) => Number(hp.split(':')[1]));
    const c = new KafkaCluster(peer, dir, nodes, ports);
    for (const g of groups) c.groups.add(g);
    return c;
  }

  get bootstrap(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  private async run(args: readonly string[], timeoutMs: number): Promise<RunResult> {
    const r = await runScript(this.peer, [args[0]!, '--dir', this.dir, ...args.slice(1)], timeoutMs, this.groups);
    if (r.code !== 0) throw new Error(`kafka-run.sh ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-1000)}`);
    return r;
  }

  /** Creates each topic (partitions, replication factor, min.insync.replicas, retention from its plan), in parallel. */
  async createTopics(topics: readonly KafkaTopicPlan[]): Promise<void> {
    await Promise.all(
      topics.map((t) =>
        this.run(
          [
            'topics',
            '--create',
            '--topic',
            t.name,
            '--partitions',
            String(t.partitions),
            '--replication-factor',
            String(t.replication),
            '--config',
            `min.insync.replicas=${t.minInSyncReplicas}`,
            '--config',
            `retention.ms=${t.retentionHours * 3_600_000}`,
          ],
          120_000,
        ),
      ),
    );
  }

  /** `kafka-topics --describe` output of one topic, or of every topic. */
  async describe(topic?: string): Promise<string> {
    return (await this.run(['topics', '--describe', ...(topic ? ['--topic', topic] : [])], 120_000)).stdout;
  }

  /** Per topic: partition count, replication factor and min.insync.replicas, from one `--describe` of all topics. */
  async topicSettings(): Promise<Map<string, { partitions: number; replication: number; minInSync: number | undefined }>> {
    const out = new Map<string, { partitions: number; replication: number; minInSync: number | undefined }>();
    for (const line of (await this.describe()).split('\n')) {
      const m = /Topic:\s*(\S+)\s.*PartitionCount:\s*(\d+)\s.*ReplicationFactor:\s*(\d+)/.exec(line);
      if (!m) continue;
      const isr = /min\.insync\.replicas=(\d+)/.exec(line);
      out.set(m[1]!, { partitions: Number(m[2]), replication: Number(m[3]), minInSync: isr ? Number(isr[1]) : undefined });
    }
    return out;
  }

  /** Controlled shutdown of one node (1-based), bounded by the script's grace (30 s, then KILL). */
  async stopNode(node: number): Promise<void> {
    await this.run(['stop', '--node', String(node)], 90_000);
  }

  /** Starts a stopped node again with its data; waits until it says it started. */
  async startNode(node: number, timeoutS = 120): Promise<void> {
    await this.run(['start-node', '--node', String(node), '--timeout', String(timeoutS)], (timeoutS + 60) * 1000);
  }

  /** Pid of a node's broker process (from its pid file), if running. */
  nodePid(node: number): number | undefined {
    try {
      return Number(readFileSync(join(this.dir, `node-${node}`, 'kafka.pid'), 'utf8').trim());
    } catch {
      return undefined;
    }
  }

  /** Stops every node (bounded), then kills whatever is left in the groups this cluster started. */
  async stop(): Promise<void> {
    try {
      await this.run(['stop'], 120_000);
    } finally {
      for (const g of this.groups) {
        if (groupAlive(g)) {
          try {
            process.kill(-g, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        untrackGroup(g);
      }
      this.groups.clear();
    }
  }
}
