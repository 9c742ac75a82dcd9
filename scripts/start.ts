/**
 * `npm start`: a local Node-RED on http://127.0.0.1:1880 with this package, the vendor
 * simulator on 127.0.0.1:8787 and the example flows deployed. Data lives in .node-red-data/
 * (gitignored). `npm start -- --reset` redeploys the examples over your edits.
 * PORT and SIM_PORT change the ports.
 */
import { startDemo } from './demo';

async function main(): Promise<void> {
  const reset = process.argv.includes('--reset');
  const demo = await startDemo({
    port: process.env.PORT ? Number(process.env.PORT) : 1880,
    simPort: process.env.SIM_PORT ? Number(process.env.SIM_PORT) : 8787,
    reset,
  });
  console.log(`
  Node-RED with node-red-contrib-network-flows: ${demo.url}
  Vendor simulator (SD-WAN, Firewalla MSP, FlowGateway): ${demo.simulator.url}
  IPFIX exporter: the simulator's traffic to the collector example on 127.0.0.1:2055
  Open the editor, then the debug sidebar: the examples poll the simulator every minute (SD-WAN,
  FlowGateway) or every 5 minutes (Firewalla); press an inject's button to poll now.
  Ctrl-C stops both.
`);
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    void demo.stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  demo.nodeRed.on('exit', (code) => {
    if (!stopping) {
      console.error(`Node-RED exited (${code}); stopping the simulator.`);
      shutdown();
    }
  });
}

main().catch((err: unknown) => {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
