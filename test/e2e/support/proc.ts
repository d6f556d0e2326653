// Processes started by e2e tests: each in its own process group (so a stop reaches everything it forked), output to
// a log file in the test's temp dir, bounded stops (signal, grace, then SIGKILL to the group). Every group started is
// remembered and SIGKILLed if the test process exits without stopping it (a failed assertion, the runner's timeout).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Process groups (leader pids) that may still be alive. */
const liveGroups = new Set<number>();
let hooksInstalled = false;

function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether any process of the group is alive (signal 0 to the group). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const g of liveGroups) killGroup(g, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const g of liveGroups) killGroup(g, 'SIGKILL');
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Remember a process group started elsewhere (e.g. by a script that daemonises into its own group). */
export function trackGroup(pgid: number): void {
  installHooks();
  liveGroups.add(pgid);
}

/** Forget a group after it was stopped. */
export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

/** Kills every remembered group now (after() of a suite, as a last resort). */
export function killAllTracked(): void {
  for (const g of liveGroups) killGroup(g, 'SIGKILL');
  liveGroups.clear();
}

export interface StartOptions {
  readonly args: readonly string[];
  readonly logFile: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The last `n` lines of a log file (for error messages). */
export function tailFile(file: string, n = 40): string {
  if (!existsSync(file)) return '(no log)';
  const lines = readFileSync(file, 'utf8').split('\n');
  return lines.slice(-n).join('\n');
}

export class ManagedProcess {
  private child: ChildProcess;
  private exitPromise: Promise<Exit>;
  private exitInfo: Exit | undefined;

  private constructor(
    readonly name: string,
    readonly command: string,
    private readonly options: StartOptions,
  ) {
    const { child, exited } = this.launch();
    this.child = child;
    this.exitPromise = exited;
  }

  /** Starts `command` in a new process group, stdout and stderr appended to options.logFile. */
  static start(name: string, command: string, options: StartOptions): ManagedProcess {
    installHooks();
    return new ManagedProcess(name, command, options);
  }

  private launch(): { child: ChildProcess; exited: Promise<Exit> } {
    const fd = openSync(this.options.logFile, 'a');
    const child = spawn(this.command, [...this.options.args], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...(this.options.env ?? {}) },
      ...(this.options.cwd ? { cwd: this.options.cwd } : {}),
    });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`${this.name}: could not start ${this.command}`);
    liveGroups.add(child.pid);
    this.exitInfo = undefined;
    const exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve({ code, signal });
      });
      child.once('error', () => {
        this.exitInfo = { code: null, signal: null };
        resolve({ code: null, signal: null });
      });
    });
    return { child, exited };
  }

  get pid(): number {
    return this.child.pid!;
  }
  get running(): boolean {
    return this.exitInfo === undefined;
  }
  get exit(): Exit | undefined {
    return this.exitInfo;
  }
  get exited(): Promise<Exit> {
    return this.exitPromise;
  }
  get logFile(): string {
    return this.options.logFile;
  }
  logTail(n = 40): string {
    return tailFile(this.options.logFile, n);
  }

  /**
   * Stops the whole group: `signal` (default SIGTERM), waits up to graceMs for the leader to exit, then SIGKILL.
   * Returns how the leader exited and whether the grace ran out.
   */
  async stop(options: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<Exit & { killed: boolean }> {
    const pgid = this.pid;
    let killed = false;
    if (this.running) {
      killGroup(pgid, options.signal ?? 'SIGTERM');
      const grace = options.graceMs ?? 30_000;
      const ac = new AbortController();
      const r = await Promise.race([
        this.exitPromise.then(() => 'exited' as const),
        sleep(grace, 'timeout' as const, { signal: ac.signal }).catch(() => 'exited' as const),
      ]);
      ac.abort(); // no timer left holding the event loop
      if (r === 'timeout') {
        killed = true;
        killGroup(pgid, 'SIGKILL');
        await this.exitPromise;
      }
    }
    // anything the leader left behind in its group
    killGroup(pgid, 'SIGKILL');
    liveGroups.delete(pgid);
    return { ...(this.exitInfo ?? { code: null, signal: null }), killed };
  }

  /** SIGKILL to the whole group, at once (a crash). */
  async kill9(): Promise<Exit> {
    const pgid = this.pid;
    killGroup(pgid, 'SIGKILL');
    const e = await this.exitPromise;
    liveGroups.delete(pgid);
    return e;
  }

  /** Starts the same command again (after stop or kill9), appending to the same log. */
  restart(): void {
    if (this.running) throw new Error(`${this.name}: restart() while still running`);
    const { child, exited } = this.launch();
    this.child = child;
    this.exitPromise = exited;
  }
}

/** Polls `check` every intervalMs until it returns a truthy value; throws `what` + details after timeoutMs. */
export async function waitUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false> | T | undefined | false, options: { intervalMs?: number; details?: () => string } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}${options.details ? `\n${options.details()}` : ''}`);
    }
    await sleep(options.intervalMs ?? 250);
  }
}
