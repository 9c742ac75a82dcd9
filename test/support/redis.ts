/**
 * A real Redis for tests: Debian's `redis-server` on 127.0.0.1, on an ephemeral port the OS
 * handed out a moment before (retried if another process took it meanwhile), with its own temp
 * directory and no persistence. `stop()` ends it and removes the directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const REDIS_SERVER = process.env.NF_REDIS_SERVER ?? '/usr/bin/redis-server';

export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function startOnce(port: number, dir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(REDIS_SERVER, [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
      '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'notice',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (b: Buffer): void => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.resume();
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready: ${out.slice(-500)}`)));
  });
}

export async function startRedis(): Promise<RedisServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nf-redis-'));
  let lastErr: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    let child: ChildProcess;
    try {
      child = await startOnce(port, dir);
    } catch (e) {
      lastErr = e;
      continue;
    }
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      stop: () => new Promise<void>((resolve) => {
        const finish = (): void => {
          fs.rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return finish();
        child.removeAllListeners('exit');
        child.once('exit', finish);
        child.kill('SIGTERM');
      }),
    };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  throw lastErr instanceof Error ? lastErr : new Error(String(lastErr));
}
