/**
 * Generated traffic that looks real: a few RFC 1918 LANs with named devices talking to public
 * services over tcp/udp/icmp, with plausible apps, ports and heavy-tailed byte counts.
 *
 * Deterministic in (seed, time): the flows that ended in any one-second bucket are a pure function
 * of the seed and the bucket, so pages, filters and time windows are consistent across requests
 * without storing anything, and a test can recompute exactly what the simulator must answer.
 */

export interface Device {
  mac: string;
  ip: string;
  /** The device's IPv6 address (ULA), used when it talks to an IPv6 service. */
  ip6: string;
  name: string;
  network: { id: string; name: string };
  group?: { id: string; name: string };
}

export interface Service {
  domain: string;
  ip: string;
  port: number;
  proto: 6 | 17 | 1;
  app: string;
  category: string;
  region: string;
  /** Median bytes downloaded per flow; uploads are a fraction of it. */
  medianBytes: number;
}

export interface SimFlow {
  /** Unique within the simulator: `${bucketSecond}-${index}`. */
  id: string;
  /** Flow end, epoch ms. */
  ts: number;
  durationMs: number;
  device: Device;
  service: Service;
  /** outbound: device -> service; inbound: service -> device (port forwards); local: device -> device. */
  direction: 'outbound' | 'inbound' | 'local';
  peer?: Device;
  srcPort: number;
  dstPort: number;
  proto: 6 | 17 | 1;
  /** Bytes sent by the device (upload) and received (download). */
  upload: number;
  download: number;
  packets: number;
  blocked: boolean;
  blockType?: 'ip' | 'dns';
  /** Index of the SD-WAN WAN link / virtual path the flow uses. */
  wanLink: number;
}

export interface TrafficOptions {
  seed?: number;
  /** Mean flows per minute across the whole site. Default 120. */
  flowsPerMinute?: number;
}

/** mulberry32: small, fast, good enough for test data; seeded so runs repeat. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes two integers into a seed (splitmix-like), so each bucket gets its own stream. */
export function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export const NETWORKS = [
  { id: '99285a11-aaaa-bbbb-cccc-510596edaaaa', name: 'Home Office', prefix: '192.168.210.' },
  { id: '5c1f0b2e-1111-4c2d-9e8f-2b7d6a0c1e01', name: 'Guest', prefix: '192.168.50.' },
  { id: 'a7e3d9c4-2222-4b1a-8c7d-3e9f5b2a6d02', name: 'Branch LAN', prefix: '10.20.1.' },
];

const DEVICE_NAMES = [
  'My Iphone', 'MacBook Pro', 'Office Printer', 'Living Room TV', 'NAS', 'Galaxy S24', 'iPad',
  'Xbox Series X', 'Ring Doorbell', 'ThinkPad X1', 'Nest Thermostat', 'Sonos Beam', 'Pixel 9',
  'Build Server', 'Reception PC', 'VoIP Phone 101', 'VoIP Phone 102', 'Camera Lobby', 'Kindle',
  'Surface Laptop',
];

/** Public services: documentation-style realism; the simulator never connects anywhere. */
export const SERVICES: Service[] = [
  { domain: 'firewalla.com', ip: '23.227.38.32', port: 443, proto: 6, app: 'HTTPS', category: 'shopping', region: 'CA', medianBytes: 40_000 },
  { domain: 'www.youtube.com', ip: '142.250.72.14', port: 443, proto: 6, app: 'YouTube', category: 'video', region: 'US', medianBytes: 8_000_000 },
  { domain: 'rr3.googlevideo.com', ip: '173.194.160.8', port: 443, proto: 17, app: 'QUIC', category: 'video', region: 'US', medianBytes: 12_000_000 },
  { domain: 'netflix.com', ip: '54.155.178.5', port: 443, proto: 6, app: 'Netflix', category: 'video', region: 'IE', medianBytes: 20_000_000 },
  { domain: 'outlook.office365.com', ip: '52.96.165.18', port: 443, proto: 6, app: 'Office365', category: 'business', region: 'US', medianBytes: 300_000 },
  { domain: 'teams.microsoft.com', ip: '52.113.194.132', port: 3478, proto: 17, app: 'Teams', category: 'business', region: 'NL', medianBytes: 2_000_000 },
  { domain: 'zoom.us', ip: '170.114.52.2', port: 8801, proto: 17, app: 'Zoom', category: 'business', region: 'US', medianBytes: 3_000_000 },
  { domain: 'api.github.com', ip: '140.82.112.6', port: 443, proto: 6, app: 'GitHub', category: 'technology', region: 'US', medianBytes: 150_000 },
  { domain: 'www.facebook.com', ip: '157.240.22.35', port: 443, proto: 6, app: 'Facebook', category: 'social', region: 'IE', medianBytes: 900_000 },
  { domain: 'steamcdn-a.akamaihd.net', ip: '23.62.99.10', port: 443, proto: 6, app: 'Steam', category: 'games', region: 'DE', medianBytes: 30_000_000 },
  { domain: 'dns.google', ip: '8.8.8.8', port: 53, proto: 17, app: 'DNS', category: 'technology', region: 'US', medianBytes: 180 },
  { domain: 'one.one.one.one', ip: '1.1.1.1', port: 53, proto: 17, app: 'DNS', category: 'technology', region: 'AU', medianBytes: 160 },
  { domain: 'time.cloudflare.com', ip: '162.159.200.1', port: 123, proto: 17, app: 'NTP', category: 'technology', region: 'US', medianBytes: 90 },
  { domain: 'doubleclick.net', ip: '142.251.40.34', port: 443, proto: 6, app: 'HTTPS', category: 'ad', region: 'US', medianBytes: 20_000 },
  { domain: 'tracker.example-ads.cn', ip: '47.246.23.4', port: 443, proto: 6, app: 'HTTPS', category: 'ad', region: 'CN', medianBytes: 8_000 },
  { domain: 'vpn.corp-gateway.de', ip: '85.214.132.117', port: 1194, proto: 17, app: 'OpenVPN', category: 'vpn', region: 'DE', medianBytes: 5_000_000 },
  { domain: 'bittorrent-tracker.ru', ip: '95.213.4.8', port: 6881, proto: 6, app: 'BitTorrent', category: 'p2p', region: 'RU', medianBytes: 15_000_000 },
  { domain: 'icloud.com', ip: '17.253.144.10', port: 443, proto: 6, app: 'iCloud', category: 'technology', region: 'US', medianBytes: 1_500_000 },
  { domain: 'ping-target', ip: '9.9.9.9', port: 0, proto: 1, app: 'ICMP', category: 'technology', region: 'CH', medianBytes: 84 },
  { domain: 'www.amazon.de', ip: '18.66.122.47', port: 80, proto: 6, app: 'HTTP', category: 'shopping', region: 'DE', medianBytes: 250_000 },
  { domain: 'edu.coursera.org', ip: '13.224.9.61', port: 443, proto: 6, app: 'HTTPS', category: 'edu', region: 'US', medianBytes: 4_000_000 },
  { domain: 'ipv6.google.com', ip: '2607:f8b0:4004:c1b::65', port: 443, proto: 6, app: 'HTTPS', category: 'technology', region: 'US', medianBytes: 60_000 },
];

export class Traffic {
  readonly seed: number;
  readonly flowsPerMinute: number;
  readonly devices: Device[];

  constructor(opts: TrafficOptions = {}) {
    this.seed = (opts.seed ?? 42) >>> 0;
    this.flowsPerMinute = opts.flowsPerMinute ?? 120;
    const rnd = prng(this.seed);
    this.devices = DEVICE_NAMES.map((name, i) => {
      const net = NETWORKS[i % NETWORKS.length]!;
      const mac = Array.from({ length: 6 }, (_, j) => (j === 0 ? 0xa4 : Math.floor(rnd() * 256)))
        .map((b) => b.toString(16).padStart(2, '0').toUpperCase())
        .join(':');
      return {
        mac,
        ip: `${net.prefix}${10 + i * 7}`,
        ip6: `fd12:3456:789a:${NETWORKS.indexOf(net) + 1}::${(10 + i * 7).toString(16)}`,
        name,
        network: { id: net.id, name: net.name },
        group: i % 3 === 0 ? { id: '2', name: 'Mobile' } : undefined,
      };
    });
  }

  /** Flows whose end time falls in the one-second bucket starting at `second` (epoch s). */
  bucket(second: number): SimFlow[] {
    const rnd = prng(mix(this.seed, second));
    // Poisson-ish count around the mean rate, with a daily swell so charts are not flat.
    const hour = new Date(second * 1000).getUTCHours();
    const swell = 0.6 + 0.8 * Math.sin((Math.PI * (hour + 18)) / 24) ** 2;
    const mean = (this.flowsPerMinute / 60) * swell;
    let n = Math.floor(mean);
    if (rnd() < mean - n) n++;
    const out: SimFlow[] = [];
    for (let i = 0; i < n; i++) out.push(this.flow(second, i, rnd));
    // Newest first inside the bucket, as Firewalla returns them.
    return out.sort((a, b) => b.ts - a.ts || (a.id < b.id ? -1 : 1));
  }

  private flow(second: number, index: number, rnd: () => number): SimFlow {
    const device = this.devices[Math.floor(rnd() * this.devices.length)]!;
    const service = SERVICES[Math.floor(rnd() * SERVICES.length)]!;
    const roll = rnd();
    const direction: SimFlow['direction'] = roll < 0.88 ? 'outbound' : roll < 0.95 ? 'inbound' : 'local';
    const peer = direction === 'local' ? this.devices[(this.devices.indexOf(device) + 1) % this.devices.length] : undefined;
    // Log-normal bytes around the service's median: a few huge flows, many small ones.
    const gauss = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    const download = Math.max(40, Math.round(service.medianBytes * Math.exp(gauss * 1.2)));
    const upload = Math.max(40, Math.round(download * (0.02 + rnd() * 0.2)));
    const blocked = service.category === 'ad' ? rnd() < 0.7 : rnd() < 0.02;
    const durationMs = service.proto === 1 ? Math.round(rnd() * 50) : Math.round(50 + rnd() * rnd() * 600_000);
    const packets = Math.max(1, Math.round((upload + download) / (400 + rnd() * 1000)));
    const ephemeral = 32768 + Math.floor(rnd() * 28000);
    const inbound = direction === 'inbound';
    return {
      id: `${second}-${index}`,
      ts: second * 1000 + Math.floor(rnd() * 1000),
      durationMs,
      device,
      service,
      direction,
      peer,
      srcPort: service.proto === 1 ? 0 : inbound ? ephemeral : ephemeral,
      dstPort: service.proto === 1 ? 0 : inbound ? [22, 443, 8443, 32400][Math.floor(rnd() * 4)]! : service.port,
      proto: service.proto,
      upload: blocked ? 0 : upload,
      download: blocked ? 0 : download,
      packets: blocked ? 1 : packets,
      blocked,
      blockType: blocked ? (rnd() < 0.6 ? 'dns' : 'ip') : undefined,
      wanLink: Math.floor(rnd() * 2),
    };
  }

  /**
   * Flows that ended in [fromMs, toMs), newest first. Fine for windows of hours; vendor
   * modules page through buckets themselves for bigger ones.
   */
  between(fromMs: number, toMs: number): SimFlow[] {
    const out: SimFlow[] = [];
    for (let s = Math.floor((toMs - 1) / 1000); s >= Math.floor(fromMs / 1000); s--) {
      for (const f of this.bucket(s)) if (f.ts >= fromMs && f.ts < toMs) out.push(f);
    }
    return out;
  }
}

/** Public-side endpoints of a flow, from the device's point of view. */
export function flowEndpoints(f: SimFlow): { srcIp: string; dstIp: string; srcPort: number; dstPort: number } {
  const remoteIp = f.peer ? f.peer.ip : f.service.ip;
  // A flow runs over one IP version: the device uses its IPv6 address for an IPv6 service.
  const localIp = remoteIp.includes(':') ? f.device.ip6 : f.device.ip;
  if (f.direction === 'inbound') return { srcIp: remoteIp, dstIp: localIp, srcPort: f.srcPort, dstPort: f.dstPort };
  return { srcIp: localIp, dstIp: remoteIp, srcPort: f.srcPort, dstPort: f.dstPort };
}
