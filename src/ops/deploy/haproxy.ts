/**
 * HAProxy's runtime API over TCP (catalog HAPROXY): one command per connection — HAProxy answers and closes.
 * Drain and ready through `set server <backend>/<server> state …`; server states from `show stat` (CSV).
 */
import { connect } from 'node:net';

import { HAPROXY } from '../../catalog/support.js';
import type { LbServerState, LoadBalancer } from './execute.js';
import type { LbServer } from './plan.js';

export interface RuntimeApiAddress {
  readonly host: string;
  readonly port: number;
}

/** Sends one command, returns HAProxy's answer (bounded by `timeoutMs`). */
export function runtimeApiCommand(addr: RuntimeApiAddress, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(addr.port, addr.host);
    let out = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`HAProxy runtime API ${addr.host}:${addr.port}: no answer to "${command}" within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.end(`${command}\n`));
    socket.on('data', (d: string) => (out += d));
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`HAProxy runtime API ${addr.host}:${addr.port}: ${e.message}`));
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** `show stat` CSV → server rows (the header line starts with "# "; BACKEND/FRONTEND aggregate rows are skipped). */
export function parseShowStat(csv: string): LbServerState[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) throw new Error(`HAProxy show stat: no header line in ${JSON.stringify(csv.slice(0, 200))}`);
  const cols = header.slice(2).split(',');
  const c = HAPROXY.statColumns;
  const idx = (name: string): number => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`HAProxy show stat: no column ${name}`);
    return i;
  };
  const [b, s, scur, status] = [idx(c.backend), idx(c.server), idx(c.sessions), idx(c.status)];
  const out: LbServerState[] = [];
  for (const l of lines) {
    if (l.startsWith('#')) continue;
    const f = l.split(',');
    const server = f[s] ?? '';
    if (server === 'BACKEND' || server === 'FRONTEND') continue;
    out.push({ backend: f[b] ?? '', server, sessions: Number(f[scur] || 0), status: f[status] ?? '' });
  }
  return out;
}

export class HaproxyRuntimeApi implements LoadBalancer {
  constructor(readonly addr: RuntimeApiAddress) {}

  async setState(server: LbServer, state: 'drain' | 'ready'): Promise<void> {
    const answer = (await runtimeApiCommand(this.addr, HAPROXY.setServerState(server.backend, server.server, state))).trim();
    // success is an empty answer; HAProxy explains a refusal ("No such server.", "Require 'backend/server'.")
    if (answer !== '') throw new Error(`HAProxy refused "set server ${server.backend}/${server.server} state ${state}": ${answer}`);
  }

  async servers(): Promise<LbServerState[]> {
    return parseShowStat(await runtimeApiCommand(this.addr, HAPROXY.showStat));
  }
}
