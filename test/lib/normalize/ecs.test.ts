import 'should';
import { isIP } from 'node:net';
import { Normalizer, toEcs, type EcsDocument } from '../../../nodes/lib/normalize';
import { FETCHED_AT, firewallaSeed, flowGatewaySeed, sdwanFlow, sdwanIlbFlow } from './fixtures';

/**
 * ECS 8.x field types for every field the ECS output writes (from the ECS field reference).
 * `object` marks our custom namespace, whose leaves are free.
 */
const ECS_TYPES: Record<string, 'date' | 'keyword' | 'ip' | 'long' | 'object'> = {
  '@timestamp': 'date',
  'ecs.version': 'keyword',
  'event.kind': 'keyword',
  'event.category': 'keyword',
  'event.type': 'keyword',
  'event.action': 'keyword',
  'event.module': 'keyword',
  'event.dataset': 'keyword',
  'event.start': 'date',
  'event.end': 'date',
  'event.duration': 'long',
  'event.original': 'keyword',
  'observer.vendor': 'keyword',
  'observer.product': 'keyword',
  'observer.type': 'keyword',
  'observer.hostname': 'keyword',
  'source.ip': 'ip',
  'source.address': 'keyword',
  'source.port': 'long',
  'source.mac': 'keyword',
  'source.bytes': 'long',
  'source.geo.country_iso_code': 'keyword',
  'destination.ip': 'ip',
  'destination.address': 'keyword',
  'destination.port': 'long',
  'destination.domain': 'keyword',
  'destination.bytes': 'long',
  'destination.geo.country_iso_code': 'keyword',
  'network.transport': 'keyword',
  'network.iana_number': 'keyword',
  'network.bytes': 'long',
  'network.packets': 'long',
  'network.direction': 'keyword',
  'network.type': 'keyword',
  'network.community_id': 'keyword',
  'network.application': 'keyword',
  'network.name': 'keyword',
  'related.ip': 'ip',
  network_flows: 'object',
};

/** ECS allowed values for the categorisation and direction fields we set. */
const ALLOWED: Record<string, string[]> = {
  'event.kind': ['event', 'metric'],
  'event.category': ['network'],
  'event.type': ['connection', 'allowed', 'denied', 'info'],
  'network.direction': ['ingress', 'egress', 'inbound', 'outbound', 'internal', 'external', 'unknown'],
  'network.type': ['ipv4', 'ipv6'],
};

function check(doc: EcsDocument): string[] {
  const problems: string[] = [];
  const walk = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      const path = prefix ? `${prefix}.${k}` : k;
      const type = ECS_TYPES[path];
      if (type === 'object') continue;
      if (type === undefined) {
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, path);
        else problems.push(`${path}: not an ECS field we declared`);
        continue;
      }
      for (const x of Array.isArray(v) ? v : [v]) {
        const ok =
          type === 'keyword'
            ? typeof x === 'string' && x.length > 0
            : type === 'long'
              ? Number.isSafeInteger(x)
              : type === 'ip'
                ? typeof x === 'string' && isIP(x) !== 0
                : typeof x === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(x) && !Number.isNaN(Date.parse(x));
        if (!ok) problems.push(`${path}: ${JSON.stringify(x)} is not a valid ${type}`);
        if (ALLOWED[path] && !ALLOWED[path].includes(x as string)) problems.push(`${path}: ${String(x)} is not an allowed value`);
      }
    }
  };
  walk(doc, '');
  return problems;
}

describe('normalize: ECS output', () => {
  const ecs = new Normalizer({ format: 'ecs', keepRaw: true });

  it('writes only declared ECS fields with their ECS types, for every endpoint', () => {
    const batches = [
      ecs.normalize([sdwanFlow(), { ...sdwanFlow(), direction: 'WAN to LAN', src_ip: '2001:db8::1', dest_ip: 'fd00::5', ipp: '58', src_port: '128', dest_port: '0' }], {
        vendor: 'citrix-sdwan',
        endpoint: 'flows',
        host: 'sdwan.example',
        fetchedAt: FETCHED_AT,
      }),
      ecs.normalize([sdwanIlbFlow()], { vendor: 'citrix-sdwan', endpoint: 'ilbflows', host: '10.0.0.9', fetchedAt: FETCHED_AT }),
      ecs.normalize([firewallaSeed(), { ...firewallaSeed(), block: true, blockType: 'ip', upload: undefined, download: undefined }, { domain: 'x.example', count: 3, total: 9 }], {
        vendor: 'firewalla',
        endpoint: 'flows',
        host: 'acme.firewalla.net',
        fetchedAt: FETCHED_AT,
      }),
      ecs.normalize(
        flowGatewaySeed().map((r) => ({ ...r, source_ip: '10.1.2.3' })),
        { vendor: 'riverbed-flowgateway', endpoint: 'import_stats', host: 'fg.example', fetchedAt: FETCHED_AT },
      ),
    ];
    let n = 0;
    for (const b of batches) {
      b.invalid.should.have.length(0);
      for (const doc of b.records as EcsDocument[]) {
        check(doc).should.eql([]);
        n++;
      }
    }
    n.should.equal(8);
  });

  it('maps an SD-WAN flow to the standard fields', () => {
    const doc = ecs.normalize([sdwanFlow()], { vendor: 'citrix-sdwan', endpoint: 'flows', host: 'https://sdwan.example', fetchedAt: FETCHED_AT })
      .records[0] as Record<string, any>; // any: reading nested test output
    doc['@timestamp'].should.equal(new Date(FETCHED_AT).toISOString());
    doc.event.should.match({ kind: 'event', category: ['network'], type: ['connection'], action: 'network_flow', duration: 65000 * 1e6 });
    doc.event.start.should.equal(new Date(FETCHED_AT - 65000).toISOString());
    doc.observer.should.eql({ vendor: 'Citrix', product: 'SD-WAN', type: 'router', hostname: 'sdwan.example' });
    doc.source.should.eql({ ip: '10.10.1.20', address: '10.10.1.20', port: 50123, bytes: 1048576 });
    doc.destination.should.eql({ ip: '52.96.0.10', address: '52.96.0.10', port: 443 });
    doc.network.should.match({ transport: 'tcp', iana_number: '6', bytes: 1048576, packets: 900, direction: 'outbound', type: 'ipv4', application: 'office365' });
    doc.network.community_id.should.match(/^1:[A-Za-z0-9+/]{27}=$/);
    doc.related.should.eql({ ip: ['10.10.1.20', '52.96.0.10'] });
    doc.network_flows.should.match({ vendor: 'citrix-sdwan', endpoint: 'flows', rate_kbps: 128.5, pps: 14, extra: { hitcount: 37 } });
    JSON.parse(doc.event.original).should.eql(sdwanFlow());
  });

  it('maps Firewalla bytes by side, blocked flows, the device and the region', () => {
    const [allowed, blocked, inbound] = ecs.normalize(
      [
        firewallaSeed(),
        { ...firewallaSeed(), block: true, blockType: 'dns' },
        { ...firewallaSeed(), direction: 'inbound', source: { ip: '203.0.113.7' }, destination: undefined },
      ],
      { vendor: 'firewalla', endpoint: 'flows', fetchedAt: FETCHED_AT },
    ).records as Record<string, any>[]; // any: reading nested test output
    allowed!.source.should.match({ mac: 'AA-BB-CC-DD-EE-FF', bytes: 500 }); // upload: device -> remote
    allowed!.destination.should.match({ domain: 'firewalla.com', bytes: 1000, geo: { country_iso_code: 'CN' } });
    allowed!.event.type.should.eql(['connection', 'allowed']);
    allowed!.observer.should.eql({ vendor: 'Firewalla', product: 'Firewalla MSP', type: 'firewall' });
    blocked!.event.should.match({ action: 'blocked', type: ['connection', 'denied'] });
    inbound!.source.should.match({ ip: '203.0.113.7', bytes: 1000, geo: { country_iso_code: 'CN' } }); // download: remote -> device
    inbound!.destination.should.match({ ip: '192.168.210.110', bytes: 500, port: 55664 });
  });

  it('computes the community id for flows with ports and for ICMP, and leaves it out without ports', () => {
    const ctx = { vendor: 'citrix-sdwan' as const, endpoint: 'flows', fetchedAt: FETCHED_AT };
    const doc = (rec: object) => (ecs.normalize([rec], ctx).records[0] as Record<string, any>).network; // any: test output
    doc({ src_ip: '128.232.110.120', src_port: '34855', dest_ip: '66.35.250.204', dest_port: '80', ipp: '6' }).community_id.should.equal(
      '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
    );
    doc({ src_ip: '10.0.0.1', dest_ip: '8.8.8.8', ipp: '1', src_port: '8', dest_port: '0' }).community_id.should.match(/^1:/);
    doc({ src_ip: '10.0.0.1', dest_ip: '8.8.8.8', ipp: '47' }).community_id.should.match(/^1:/);
    doc({ src_ip: '10.0.0.1', dest_ip: '8.8.8.8', ipp: '6' }).should.not.have.property('community_id');
  });

  it('writes metrics as event.kind metric without start or end', () => {
    const f = new Normalizer().toNetworkFlows([{ ...flowGatewaySeed()[0]!, source_ip: '10.1.2.3' }], { vendor: 'riverbed-flowgateway', endpoint: 'import_stats' }).records[0]!;
    const doc = toEcs(f) as Record<string, any>; // any: test output
    doc.event.should.match({ kind: 'metric', type: ['info'] });
    doc.event.should.not.have.properties('start', 'end');
    doc.network.should.match({ bytes: 8448, packets: 20, direction: 'unknown' });
    doc.network_flows.should.match({ flows: 154, extra: { peak_n_flows: 60 } });
    doc.observer.should.match({ vendor: 'Riverbed', product: 'FlowGateway' });
  });
});
