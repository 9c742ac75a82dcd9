import 'should';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { communityId } from '../../../nodes/lib/community-id';

/**
 * An independent Community ID v1 computation, written from the spec text for this test only:
 * its own address parsing (no ip.ts), its own ordering and ICMP tables.
 */
function v4bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}
function v6bytes(ip: string): number[] {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 255];
  });
}
function reference(src: string, dst: string, proto: number, sp?: number, dp?: number, seed = 0): string {
  let a = src.includes(':') ? v6bytes(src) : v4bytes(src);
  let b = dst.includes(':') ? v6bytes(dst) : v4bytes(dst);
  const icmp4: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17 };
  const icmp6: Record<number, number> = { 128: 129, 129: 128, 130: 131, 131: 130, 133: 134, 134: 133, 135: 136, 136: 135, 139: 140, 140: 139, 144: 145, 145: 144 };
  let oneWay = false;
  if (proto === 1 || proto === 58) {
    const table = proto === 1 ? icmp4 : icmp6;
    if (table[sp!] !== undefined) dp = table[sp!];
    else oneWay = true;
  }
  const less = (x: number[], y: number[]) => {
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
    return false;
  };
  const equal = a.every((x, i) => x === b[i]);
  const hasPorts = [1, 6, 17, 58, 132].includes(proto);
  if (!oneWay && !(less(a, b) || (equal && hasPorts && sp! < dp!))) {
    [a, b] = [b, a];
    [sp, dp] = [dp, sp];
  }
  const bytes = [seed >> 8, seed & 255, ...a, ...b, proto, 0];
  if (hasPorts) bytes.push(sp! >> 8, sp! & 255, dp! >> 8, dp! & 255);
  return `1:${createHash('sha1').update(Buffer.from(bytes)).digest('base64')}`;
}

describe('community id', () => {
  it('matches the published spec example (tcp 128.232.110.120:34855 -> 66.35.250.204:80, seed 0)', () => {
    communityId({ srcIp: '128.232.110.120', dstIp: '66.35.250.204', proto: 6, srcPort: 34855, dstPort: 80 })!.should.equal(
      '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
    );
    // the reply direction hashes alike
    communityId({ srcIp: '66.35.250.204', dstIp: '128.232.110.120', proto: 6, srcPort: 80, dstPort: 34855 })!.should.equal(
      '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
    );
    reference('128.232.110.120', '66.35.250.204', 6, 34855, 80).should.equal('1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
  });

  it('agrees with the independent computation for TCP, UDP, SCTP, ICMP, ICMPv6, GRE, seeds, IPv6', () => {
    const cases: [string, string, number, number | undefined, number | undefined, number][] = [
      ['10.0.0.1', '10.0.0.2', 17, 53, 5353, 0],
      ['10.0.0.2', '10.0.0.1', 17, 5353, 53, 0],
      ['192.168.1.1', '192.168.1.1', 6, 443, 80, 0], // same address: ordered by port
      ['1.2.3.4', '5.6.7.8', 132, 2905, 2905, 7],
      ['192.168.0.89', '192.168.0.1', 1, 8, 0, 0], // echo request
      ['192.168.0.1', '192.168.0.89', 1, 0, 0, 0], // echo reply: same id as the request
      ['192.168.0.1', '192.168.0.89', 1, 3, 1, 0], // unreachable: one-way, not reordered
      ['fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 58, 135, 0, 0],
      ['2001:db8::1', '2001:db8::2', 6, 1234, 443, 1],
      ['10.1.1.1', '10.2.2.2', 47, undefined, undefined, 0], // GRE: no ports
    ];
    for (const [s, d, p, sp, dp, seed] of cases) {
      communityId({ srcIp: s, dstIp: d, proto: p, srcPort: sp, dstPort: dp, seed })!.should.equal(reference(s, d, p, sp, dp, seed), `${s} ${d} ${p}`);
    }
    const req = communityId({ srcIp: '192.168.0.89', dstIp: '192.168.0.1', proto: 1, srcPort: 8, dstPort: 0 });
    const rep = communityId({ srcIp: '192.168.0.1', dstIp: '192.168.0.89', proto: 1, srcPort: 0, dstPort: 0 });
    req!.should.equal(rep!);
  });

  it('agrees with the independent computation on random IPv4 and IPv6 tuples, both directions', () => {
    const v4 = fc.ipV4();
    const v6 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((g) => g.map((x) => x.toString(16)).join(':'));
    const port = fc.integer({ min: 0, max: 65535 });
    const proto = fc.constantFrom(6, 17, 132);
    fc.assert(
      fc.property(fc.oneof(fc.tuple(v4, v4), fc.tuple(v6, v6)), proto, port, port, fc.integer({ min: 0, max: 65535 }), ([s, d], p, sp, dp, seed) => {
        const id = communityId({ srcIp: s, dstIp: d, proto: p, srcPort: sp, dstPort: dp, seed });
        return id === reference(s, d, p, sp, dp, seed) && id === communityId({ srcIp: d, dstIp: s, proto: p, srcPort: dp, dstPort: sp, seed });
      }),
      { numRuns: 300 },
    );
  });

  it('gives no id when it cannot be computed', () => {
    (communityId({ srcIp: '10.0.0.1', dstIp: '2001:db8::1', proto: 6, srcPort: 1, dstPort: 2 }) === undefined).should.be.true();
    (communityId({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', proto: 6, srcPort: 1 }) === undefined).should.be.true();
    (communityId({ srcIp: 'x', dstIp: '10.0.0.2', proto: 17, srcPort: 1, dstPort: 2 }) === undefined).should.be.true();
    (communityId({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', proto: 300 }) === undefined).should.be.true();
  });
});
