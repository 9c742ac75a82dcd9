/**
 * Node-RED instances as child processes (test/support/instance-child.ts), for tests of state
 * shared through a store: restarts and two instances side by side. Each message to a node is a
 * "round": `round()` resolves when the watched node has finished it (or answered standby), with
 * what the instance's helper nodes received meanwhile.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { FromChild, OutReport, StartMessage, ToChild } from './instance-child';

const CHILD = path.join(__dirname, 'instance-child.ts');

export interface InstanceOptions {
  name: string;
  flow: Array<Record<string, unknown>>;
  credentials?: Record<string, unknown>;
  watch: string[];
  redisUrl: string;
  prefix: string;
}

export class Instance {
  readonly outputs: OutReport[] = [];
  private readonly waiting = new Map<number, () => void>();
  private readonly listeners = new Set<(m: FromChild) => void>();
  private exited: Promise<void>;
  private nextRound = 1;
  private errors: string[] = [];

  /** The instance's process id (lease values name it: docs/state.md#coordination-api). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  private constructor(readonly name: string, private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (m: FromChild) => {
      if (m.type === 'out') this.outputs.push(m.out);
      else if (m.type === 'done') {
        this.waiting.get(m.id)?.();
        this.waiting.delete(m.id);
      } else if (m.type === 'error') this.errors.push(m.message);
      for (const l of this.listeners) l(m);
    });
  }

  static async start(o: InstanceOptions): Promise<Instance> {
    const child = fork(CHILD, [], {
      execArgv: ['--require', 'tsx/cjs', '--require', path.join(__dirname, 'node-red.ts')],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env },
    });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-4000);
    });
    const inst = new Instance(o.name, child);
    const start: StartMessage = {
      type: 'start', flow: o.flow, credentials: o.credentials ?? {}, watch: o.watch, redisUrl: o.redisUrl, prefix: o.prefix, now: Date.now(),
    };
    await new Promise<void>((resolve, reject) => {
      const onExit = (): void => reject(new Error(`${o.name} exited before it was ready: ${stderr}`));
      child.once('exit', onExit);
      inst.listeners.add((m) => {
        if (m.type === 'ready') {
          child.off('exit', onExit);
          resolve();
        } else if (m.type === 'error') reject(new Error(`${o.name}: ${m.message}`));
      });
      child.send(start satisfies ToChild);
    });
    return inst;
  }

  /** Sends `msg` to `node` at the parent's `Date.now()`; resolves with what the helper nodes received until it finished. */
  async round(node: string, msg: Record<string, unknown> = { payload: 'tick' }): Promise<OutReport[]> {
    const id = this.nextRound++;
    const from = this.outputs.length;
    const done = new Promise<void>((resolve) => this.waiting.set(id, resolve));
    this.child.send({ type: 'input', id, node, now: Date.now(), msg } satisfies ToChild);
    await Promise.race([done, this.exited.then(() => {
      throw new Error(`${this.name} exited during round ${id}`);
    })]);
    if (this.errors.length) throw new Error(`${this.name}: ${this.errors.join('\n')}`);
    return this.outputs.slice(from);
  }

  /** A graceful stop: flows closed (leases released, state saved), stores closed. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const stopped = new Promise<void>((resolve) => this.listeners.add((m) => m.type === 'stopped' && resolve()));
    this.child.send({ type: 'stop' } satisfies ToChild);
    await Promise.race([stopped, this.exited]);
    // Whatever the runtime still holds open, the process has nothing left to do.
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }

  /** Killed without a chance to clean up (SIGKILL): leases stay until they expire. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
