/**
 * A small NetFlow v9 / IPFIX exporter of our own for the `npm start` demo: every second it
 * sends the simulator's traffic of that second (simulator/traffic.ts) to a collector on
 * loopback, with templates first and again every `templateEvery` messages, as routers do over
 * UDP. Only ever sends to the address it is given (the demo gives 127.0.0.1).
 */
import dgram from 'node:dgram';
import { dataRecord, dataSet, ipfixMessage, ipfixTemplateSet, v9Packet, v9TemplateFlowSet, type FieldSpec } from './netflow';
import { Traffic, flowEndpoints, type SimFlow } from './traffic';

export interface ExporterOptions {
  host?: string;
  port: number;
  /** 9 = NetFlow v9, 10 = IPFIX (default). */
  version?: 9 | 10;
  traffic?: Traffic;
  templateEvery?: number;
  /** Observation domain (IPFIX) or source id (v9). */
  domain?: number;
}

const V4: FieldSpec[] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [6, 1], [1, 8], [2, 8], [10, 4], [14, 4], [152, 8], [153, 8]];
const V6: FieldSpec[] = [[27, 16], [28, 16], [7, 2], [11, 2], [4, 1], [6, 1], [1, 8], [2, 8], [10, 4], [14, 4], [152, 8], [153, 8]];
const TEMPLATES = [{ id: 256, fields: V4 }, { id: 257, fields: V6 }];
/** Records per message: keeps datagrams under a 1500-byte MTU. */
const PER_MESSAGE = 20;

function values(f: SimFlow): Record<number, number | string> {
  const e = flowEndpoints(f);
  const v6 = e.srcIp.includes(':');
  return {
    [v6 ? 27 : 8]: e.srcIp,
    [v6 ? 28 : 12]: e.dstIp,
    7: e.srcPort,
    11: e.dstPort,
    4: f.proto,
    6: f.proto === 6 ? 0x1b : 0,
    1: f.upload + f.download,
    2: f.packets,
    10: 1,
    14: 2,
    152: f.ts - f.durationMs,
    153: f.ts,
  };
}

export class NetflowExporter {
  private readonly socket = dgram.createSocket('udp4');
  private readonly traffic: Traffic;
  private timer: NodeJS.Timeout | undefined;
  private sent = 0;
  private sequence = 0;
  private readonly start = Date.now();

  constructor(private readonly options: ExporterOptions) {
    this.traffic = options.traffic ?? new Traffic();
    // A collector that is not up yet answers with ICMP port unreachable: not our problem.
    this.socket.on('error', () => undefined);
  }

  /** The datagrams for the flows that ended in one second (epoch s), at export time `nowMs`. */
  datagrams(flows: readonly SimFlow[], nowMs: number): Buffer[] {
    const version = this.options.version ?? 10;
    const domain = this.options.domain ?? 1;
    const out: Buffer[] = [];
    for (let i = 0; i < flows.length || (i === 0 && this.sent === 0); i += PER_MESSAGE) {
      const chunk = flows.slice(i, i + PER_MESSAGE);
      const sets: Buffer[] = [];
      const withTemplates = this.sent % (this.options.templateEvery ?? 20) === 0;
      if (withTemplates) sets.push(version === 10 ? ipfixTemplateSet(TEMPLATES) : v9TemplateFlowSet(TEMPLATES));
      for (const t of TEMPLATES) {
        const recs = chunk.filter((f) => flowEndpoints(f).srcIp.includes(':') === (t.id === 257)).map((f) => dataRecord(t.fields, values(f)));
        if (recs.length > 0) sets.push(dataSet(t.id, recs, version === 9 ? 4 : 1));
      }
      if (version === 10) {
        out.push(ipfixMessage({ exportSec: Math.floor(nowMs / 1000), sequence: this.sequence, domain }, sets));
        this.sequence = (this.sequence + chunk.length) >>> 0;
      } else {
        out.push(v9Packet({ uptimeMs: nowMs - this.start, unixSecs: Math.floor(nowMs / 1000), sequence: this.sequence, sourceId: domain }, sets));
        this.sequence = (this.sequence + 1) >>> 0;
      }
      this.sent++;
    }
    return out;
  }

  /** Sends each second's flows from now on. */
  run(): this {
    const tick = (): void => {
      const now = Date.now();
      for (const d of this.datagrams(this.traffic.bucket(Math.floor(now / 1000) - 1), now)) {
        this.socket.send(d, this.options.port, this.options.host ?? '127.0.0.1');
      }
    };
    tick();
    this.timer = setInterval(tick, 1000);
    return this;
  }

  close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return new Promise((r) => this.socket.close(() => r()));
  }
}
