/**
 * Leak detector, loaded by .mocharc.json for every mocha run. Mocha runs without `exit: true`, so
 * a server, socket, child process or timer a test leaves open keeps the process alive. After the
 * last test this arms an unref'd watchdog: it only ever fires when something else still holds the
 * event loop `GRACE_MS` later, and then it names what stayed open and fails the run at once, so CI
 * gets a clear message instead of hanging until its own time limit.
 *
 * `NF_LEAK_TRACE=1` also records where each timer was created (async_hooks; slower) and prints it.
 */
import { createHook } from 'node:async_hooks';
import type net from 'node:net';

/** Long enough for sockets closed in the last `after` hook to finish closing on a loaded CI machine; a clean run never waits for it (the watchdog is unref'd). */
const GRACE_MS = Number(process.env.NF_LEAK_GRACE_MS ?? 5000);

interface TimerLike { hasRef?: () => boolean; _destroyed?: boolean; _idleTimeout?: number; _onTimeout?: { name?: string } }
const timerStacks = new Map<number, { timer: TimerLike; stack: string }>();
if (process.env.NF_LEAK_TRACE) {
  createHook({
    init(id, type, _trigger, resource) {
      if (type === 'Timeout') timerStacks.set(id, { timer: resource, stack: new Error().stack ?? '' });
    },
    destroy(id) {
      timerStacks.delete(id);
    },
  }).enable();
}

type Handle = net.Server | net.Socket | { constructor: { name: string }; pid?: number; spawnargs?: string[] };
// Not in @types/node: the detail behind getActiveResourcesInfo (ref'd handles only, like it).
const activeHandles = (): Handle[] => (process as unknown as { _getActiveHandles(): Handle[] })._getActiveHandles();

function isStdio(h: Handle): boolean {
  return h === process.stdout || h === process.stderr || h === process.stdin;
}

/** One line per open handle, with what identifies it: address, peer, pid. */
export function describeHandle(h: Handle): string {
  const kind = (h as { _handle?: { constructor?: { name?: string } } })._handle?.constructor?.name ?? h.constructor.name;
  if (typeof (h as net.Server).listen === 'function' && typeof (h as net.Server).address === 'function') {
    const a = (h as net.Server).address();
    const where = a === null ? 'not listening' : typeof a === 'string' ? a : `${a.address}:${a.port}`;
    return `${kind}ServerWrap: server listening on ${where}`;
  }
  if ('remoteAddress' in h || 'localPort' in h) {
    const s = h as net.Socket;
    if (s.remotePort === undefined && s.localPort === undefined) return `${kind}: socket (pipe)`;
    return `${kind}SocketWrap: socket ${s.localAddress}:${s.localPort} -> ${s.remoteAddress}:${s.remotePort}`;
  }
  const p = h as { pid?: number; spawnargs?: string[] };
  if (p.pid !== undefined) return `ProcessWrap: child process ${p.pid} (${(p.spawnargs ?? []).join(' ').slice(0, 200)})`;
  return h.constructor.name;
}

/** What keeps the event loop alive, besides the process's own stdio. Empty when nothing does. */
export function openResources(): { kinds: string[]; details: string[] } {
  const handles = activeHandles();
  const stdio: string[] = handles.filter(isStdio).map((h) => ((h as { _handle?: object })._handle?.constructor.name === 'TTY' ? 'TTYWrap' : 'PipeWrap'));
  const kinds = process.getActiveResourcesInfo().filter((k) => {
    const i = stdio.indexOf(k);
    if (i < 0) return true;
    stdio.splice(i, 1);
    return false;
  });
  const details = handles.filter((h) => !isStdio(h)).map(describeHandle);
  for (const { timer, stack } of timerStacks.values()) {
    if (!timer._destroyed && timer.hasRef?.()) {
      details.push(`Timeout: ${timer._idleTimeout} ms ${timer._onTimeout?.name || '(anonymous)'} created\n      ${userFrames(stack)}`);
    }
  }
  return { kinds, details };
}

/** The frames of a creation stack outside Node's internals and this file. */
function userFrames(stack: string): string {
  return stack.split('\n').slice(1).filter((l) => !/\(node:|leaks\.ts/.test(l)).slice(0, 4).map((l) => l.trim()).join('\n      ');
}

export function leakReport(kinds: string[], details: string[]): string {
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  const summary = [...counts].map(([k, n]) => `${n} x ${k}`).join(', ');
  return [
    `LEAK: after the last test, ${GRACE_MS} ms later, these still keep the process alive: ${summary}`,
    ...details.map((d) => `  - ${d}`),
    kinds.includes('Timeout') && !process.env.NF_LEAK_TRACE ? '  (run again with NF_LEAK_TRACE=1 to see where each timer was created)' : '',
    'Close what a test opens (server.close, pool.close, helper.stopServer, browser.close, clearTimeout) in its after/afterEach hook.',
  ].filter(Boolean).join('\n');
}

export const mochaHooks = {
  afterAll(): void {
    // Unref'd: a clean run exits before it fires; a leaky one cannot.
    setTimeout(() => {
      const { kinds, details } = openResources();
      if (kinds.length === 0 && details.length === 0) return;
      process.stderr.write(`\n${leakReport(kinds, details)}\n`);
      // Mocha sets the exit code to the failure count in its own 'exit' listener (0 when every
      // test passed); this listener runs after it and keeps the run failed.
      process.on('exit', () => {
        process.exitCode = Math.max(Number(process.exitCode ?? 0), 1);
      });
      process.exit(1);
    }, GRACE_MS).unref();
  },
};
