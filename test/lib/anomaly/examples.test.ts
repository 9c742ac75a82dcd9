import 'should';
import { AnomalyEngine, estimateMemory, type AnomalyEvent, type AnomalyOptionsInput } from '../../../nodes/lib/anomaly';
import webhookExample = require('../../../examples/anomaly-webhook.json');
import firewallaExample = require('../../../examples/anomaly-firewalla.json');

type ExampleNode = Record<string, unknown> & { id: string; type: string; wires?: string[][] };

/** The anomaly node's properties in an example, as the runtime would hand them to the engine. */
function engineFor(flow: ExampleNode[]): AnomalyEngine {
  const n = flow.find((x) => x.type === 'network-flow-anomaly')!;
  return new AnomalyEngine(n as AnomalyOptionsInput);
}

describe('lib/anomaly examples', () => {
  it('anomaly-webhook: the generator\'s spike alerts once, then resolves', () => {
    const flow = webhookExample as ExampleNode[];
    const gen = flow.find((x) => x.type === 'function')!;
    // Run the function node's code as Node-RED would: msg, node, context.
    const store = new Map<string, unknown>();
    const context = { get: (k: string) => store.get(k), set: (k: string, v: unknown) => void store.set(k, v) };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the example flow's function node as Node-RED would
    const fn = new Function('msg', 'node', 'context', gen.func as string) as (m: Record<string, unknown>, n: unknown, c: unknown) => { payload: unknown[] };
    const engine = engineFor(flow);
    const events: AnomalyEvent[] = [];
    for (let tick = 0; tick < 40; tick++) {
      const msg = fn({}, { status: () => undefined }, context);
      events.push(...engine.ingest(msg.payload).events);
    }
    events.map((e) => [e.type, e.payload.key]).should.eql([['alert', '192.168.1.23'], ['resolve', '192.168.1.23']]);
    events[0]!.topic.should.match(/^192\.168\.1\.23: sum:bytesOut 1(\.\d+)? GB in 60 s above baseline [\d.]+ MB ± [\d.]+ [kM]B$/);
    // The http request node posts the alert to the flow's own http-in endpoint.
    const req = flow.find((x) => x.type === 'http request')!;
    const httpIn = flow.find((x) => x.type === 'http in')!;
    (req.url as string).should.equal(`http://127.0.0.1:1880${httpIn.url as string}`);
    (req.method as string).should.equal('POST');
  });

  it('examples carry no credentials and wire only to nodes that exist', () => {
    for (const flow of [webhookExample, firewallaExample] as ExampleNode[][]) {
      const ids = new Set(flow.map((n) => n.id));
      for (const n of flow) for (const out of n.wires ?? []) for (const to of out) ids.has(to).should.be.true();
      JSON.stringify(flow).should.not.match(/"(credentials|token|password)"/);
      engineFor(flow).options.resolve.should.be.true();
    }
  });

  it('examples save the band as `band` (never a reserved one-letter name) and stay under the memory warning', () => {
    for (const flow of [webhookExample, firewallaExample] as ExampleNode[][]) {
      const n = flow.find((x) => x.type === 'network-flow-anomaly')!;
      n.should.have.property('band');
      // x, y, z are the editor's own (position, tab); any other single letter would be dropped.
      Object.keys(n).filter((k) => /^[a-z]$/.test(k) && !['x', 'y', 'z'].includes(k)).should.eql([]);
      estimateMemory(engineFor(flow).options).overLimit.should.be.false();
    }
  });
});
