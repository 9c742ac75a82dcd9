/**
 * IANA "Assigned Internet Protocol Numbers" (the IP protocol / IPv6 next-header registry):
 * number <-> lowercase keyword, every assigned number 0..145 plus 253, 254 and 255.
 *
 * Names are the registry's keywords in lowercase. Where the registry has no keyword (61, 63, 68,
 * 99, 114, 253, 254) or the keyword holds spaces (124 "ISIS over IPv4", 135 "Mobility Header"),
 * a hyphenated name is used so that a filter expression can name it (`proto mobility-header`);
 * the registry's spelling still resolves through `protocolByName`. 146..252 are unassigned: they
 * get the name `unassigned` and resolve by number only.
 */

export interface IpProtocol {
  number: number;
  name: string;
}

// Index = protocol number. Keep in registry order; a test checks the count and spot values.
const ASSIGNED: readonly string[] = [
  'hopopt', // 0
  'icmp',
  'igmp',
  'ggp',
  'ipv4',
  'st', // 5
  'tcp',
  'cbt',
  'egp',
  'igp',
  'bbn-rcc-mon', // 10
  'nvp-ii',
  'pup',
  'argus',
  'emcon',
  'xnet', // 15
  'chaos',
  'udp',
  'mux',
  'dcn-meas',
  'hmp', // 20
  'prm',
  'xns-idp',
  'trunk-1',
  'trunk-2',
  'leaf-1', // 25
  'leaf-2',
  'rdp',
  'irtp',
  'iso-tp4',
  'netblt', // 30
  'mfe-nsp',
  'merit-inp',
  'dccp',
  '3pc',
  'idpr', // 35
  'xtp',
  'ddp',
  'idpr-cmtp',
  'tp++',
  'il', // 40
  'ipv6',
  'sdrp',
  'ipv6-route',
  'ipv6-frag',
  'idrp', // 45
  'rsvp',
  'gre',
  'dsr',
  'bna',
  'esp', // 50
  'ah',
  'i-nlsp',
  'swipe',
  'narp',
  'min-ipv4', // 55
  'tlsp',
  'skip',
  'ipv6-icmp',
  'ipv6-nonxt',
  'ipv6-opts', // 60
  'any-host-internal',
  'cftp',
  'any-local-network',
  'sat-expak',
  'kryptolan', // 65
  'rvd',
  'ippc',
  'any-distributed-fs',
  'sat-mon',
  'visa', // 70
  'ipcv',
  'cpnx',
  'cphb',
  'wsn',
  'pvp', // 75
  'br-sat-mon',
  'sun-nd',
  'wb-mon',
  'wb-expak',
  'iso-ip', // 80
  'vmtp',
  'secure-vmtp',
  'vines',
  'ttp', // also IPTM
  'nsfnet-igp', // 85
  'dgp',
  'tcf',
  'eigrp',
  'ospfigp',
  'sprite-rpc', // 90
  'larp',
  'mtp',
  'ax.25',
  'ipip',
  'micp', // 95
  'scc-sp',
  'etherip',
  'encap',
  'any-private-encryption',
  'gmtp', // 100
  'ifmp',
  'pnni',
  'pim',
  'aris',
  'scps', // 105
  'qnx',
  'a/n',
  'ipcomp',
  'snp',
  'compaq-peer', // 110
  'ipx-in-ip',
  'vrrp',
  'pgm',
  'any-0-hop',
  'l2tp', // 115
  'ddx',
  'iatp',
  'stp',
  'srp',
  'uti', // 120
  'smp',
  'sm',
  'ptp',
  'isis',
  'fire', // 125
  'crtp',
  'crudp',
  'sscopmce',
  'iplt',
  'sps', // 130
  'pipe',
  'sctp',
  'fc',
  'rsvp-e2e-ignore',
  'mobility-header', // 135
  'udplite',
  'mpls-in-ip',
  'manet',
  'hip',
  'shim6', // 140
  'wesp',
  'rohc',
  'ethernet',
  'aggfrag',
  'nsh', // 145
];

const SPECIAL: Readonly<Record<number, string>> = {
  253: 'experimental-253', // RFC 3692 "Use for experimentation and testing"
  254: 'experimental-254',
  255: 'reserved',
};

/** Other spellings people and vendors use, lowercase. */
const ALIASES: Readonly<Record<string, number>> = {
  icmpv6: 58,
  icmp6: 58,
  'ipv6-icmp': 58,
  'ipv6icmp': 58,
  ipencap: 4,
  'ip-in-ip': 4,
  iptm: 84,
  mobile: 55,
  ospf: 89,
  'isis over ipv4': 124,
  'isis-over-ipv4': 124,
  'mobility header': 135,
  'udp-lite': 136,
  'ipv6-no-next': 59,
  'ipv6-nonext': 59,
};

const byNumber: IpProtocol[] = new Array<IpProtocol>(256);
const byName = new Map<string, IpProtocol>();

for (let n = 0; n < 256; n++) {
  const name = ASSIGNED[n] ?? SPECIAL[n] ?? 'unassigned';
  const p: IpProtocol = Object.freeze({ number: n, name });
  byNumber[n] = p;
  if (name !== 'unassigned') byName.set(name, p);
}
for (const [alias, n] of Object.entries(ALIASES)) byName.set(alias, byNumber[n]!);

/** Index = protocol number 0..255 (shared frozen objects: copy before changing one). */
export const PROTOCOL_TABLE: readonly IpProtocol[] = byNumber;

/** Number of assigned entries (0..145 plus 253..255), for tests and docs. */
export const ASSIGNED_COUNT = ASSIGNED.length + Object.keys(SPECIAL).length;

/**
 * The protocol for a number 0..255 (a shared frozen object: copy before changing it), or
 * undefined for anything else.
 */
export function protocolByNumber(n: number): IpProtocol | undefined {
  return Number.isInteger(n) && n >= 0 && n <= 255 ? byNumber[n] : undefined;
}

/** The protocol for a keyword or alias, case-insensitive (`TCP`, `icmpv6`, `ipv6-icmp`). */
export function protocolByName(name: string): IpProtocol | undefined {
  const hit = byName.get(name);
  if (hit) return hit;
  return byName.get(name.trim().toLowerCase());
}

/** A number (0..255, or its decimal text) or a name; undefined when it is neither. */
export function lookupProtocol(value: string | number): IpProtocol | undefined {
  if (typeof value === 'number') return protocolByNumber(value);
  const s = value.trim();
  if (/^\d{1,3}$/.test(s)) return protocolByNumber(Number(s));
  return protocolByName(s);
}

/** The protocol numbers whose flows carry ports (or ICMP type/code in their place). */
export const PORT_PROTOCOLS: ReadonlySet<number> = new Set([6, 17, 132]);
