/**
 * Runs real NetFlow / IPFIX exporters that nobody here wrote (softflowd, pmacct's pmacctd with
 * its nfprobe plugin, both from Debian) on a pcap file, exporting to a UDP port on 127.0.0.1.
 * A missing binary is a failure that says how to get it, never a skipped test.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function requireBinary(name: string): string {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', ...(process.env.PATH ?? '').split(':')]) {
    const p = path.join(dir, name);
    if (dir && fs.existsSync(p)) return p;
  }
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  throw new Error(`${name} is not installed: run .ci/run, which installs softflowd, pmacct and nfdump from Debian (apt-get install softflowd pmacct nfdump)`);
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A file name directly in the temp directory, unique to this process (see `softflowd`). */
export function tempFile(name: string): string {
  return path.join(os.tmpdir(), `nrnf-${process.pid}-${name}`);
}

/**
 * Runs a command to its end; rejects with its output when it fails or outlives `ms`. `ended`
 * may accept a non-zero exit that the program's own log shows to be a normal end.
 */
export function run(cmd: string, args: string[], ms = 30_000, ended: (code: number | null, out: string) => boolean = (code) => code === 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (ended(code, out)) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}:\n${out.slice(-2000)}`));
    });
  });
}

/** softflowd reading `pcap` once, in the foreground, exporting NetFlow `version` (5, 9, 10) to the port. */
export function softflowd(pcap: string, port: number, version: 5 | 9 | 10, dir: string, extra: string[] = []): Promise<string> {
  const bin = requireBinary('softflowd');
  // -d foreground, -6 IPv6 too, -a flow times from the capture (not the wall clock), -c / -p
  // keep its control socket and pid file out of /var/run. The control socket path must be
  // short: softflowd 1.1.0 never exits after the pcap's end when it is longer than 12
  // characters (measured here), so a short name in the system's temporary folder rather than a
  // file in `dir`.
  void dir;
  const ctl = path.join(os.tmpdir(), `s${port}`);
  const pid = path.join(os.tmpdir(), `p${port}`);
  return run(bin, ['-r', pcap, '-d', '-6', '-a', '-n', `127.0.0.1:${port}`, '-v', String(version), '-c', ctl, '-p', pid, ...extra]).finally(() => {
    fs.rmSync(ctl, { force: true });
    fs.rmSync(pid, { force: true });
  });
}

/** pmacctd reading `pcap` with the nfprobe plugin exporting NetFlow v5 / v9 / IPFIX to the port. */
export function pmacctd(pcap: string, port: number, version: 5 | 9 | 10, dir: string): Promise<string> {
  const bin = requireBinary('pmacctd');
  const conf = path.join(dir, `pmacctd-${version}.conf`);
  fs.writeFileSync(
    conf,
    [
      'daemonize: false',
      `pcap_savefile: ${pcap}`,
      'plugins: nfprobe',
      `nfprobe_receiver: 127.0.0.1:${port}`,
      `nfprobe_version: ${version}`,
      `pidfile: ${path.join(dir, 'pmacctd.pid')}`,
      '',
    ].join('\n'),
  );
  // pmacctd 1.7.7 sometimes exits 1 after a normal end of the capture file ("Shutting down on
  // user request" logged), when its plugin process ends before the core (seen under load); what
  // the test checks is what reached the collector.
  return run(bin, ['-f', conf], 30_000, (code, out) => code === 0 || (code === 1 && out.includes('Shutting down on user request')));
}
