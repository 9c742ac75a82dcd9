/**
 * `npm run simulator -- [--port 8787] [--seed 42] [--rate 120] [--tls]`: the vendor simulator on
 * its own, for trying the nodes or a hand-written flow. Faults can be switched at run time:
 *   curl -X POST 127.0.0.1:8787/_sim/faults -d '{"kind":"status","status":500,"times":3}'
 *   curl -X POST 127.0.0.1:8787/_sim/expire        (end every session and token)
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEMO_CREDENTIALS, startSimulator } from './server';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const tlsDir = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'tls');
  const tls = process.argv.includes('--tls')
    ? { key: fs.readFileSync(path.join(tlsDir, 'server.key')), cert: fs.readFileSync(path.join(tlsDir, 'server.crt')) }
    : undefined;
  const sim = await startSimulator({
    port: Number(arg('port') ?? 8787),
    host: arg('host') ?? '127.0.0.1',
    seed: Number(arg('seed') ?? 42),
    flowsPerMinute: Number(arg('rate') ?? 120),
    tls,
  });
  console.log(`vendor simulator listening on ${sim.url}`);
  console.log(`demo credentials: ${JSON.stringify(DEMO_CREDENTIALS)}`);
  const stop = (): void => void sim.close().finally(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
