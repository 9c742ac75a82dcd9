/**
 * A minimal MaxMind DB writer (format spec 2.0: https://maxmind.github.io/MaxMind-DB/), so
 * tests read real `.mmdb` files with known content through the real `maxmind` reader: a binary
 * search tree (24-bit records, an IPv6 tree with IPv4 under ::/96), the 16-byte separator, a data
 * section, and the metadata after the `\xAB\xCD\xEFMaxMind.com` marker.
 */
import { parseCidr } from '../../nodes/lib/ip';

export type MmdbValue = string | number | boolean | MmdbValue[] | { [key: string]: MmdbValue };

interface TrieNode {
  children: [TrieNode | number | undefined, TrieNode | number | undefined];
}

function control(type: number, size: number): Buffer {
  const ext = type > 7;
  const head = [((ext ? 0 : type) << 5) | 0];
  const extra: number[] = [];
  if (size < 29) head[0]! |= size;
  else if (size < 29 + 256) (head[0]! |= 29), extra.push(size - 29);
  else if (size < 285 + 65536) (head[0]! |= 30), extra.push(((size - 285) >> 8) & 255, (size - 285) & 255);
  else {
    head[0]! |= 31;
    const v = size - 65821;
    extra.push((v >> 16) & 255, (v >> 8) & 255, v & 255);
  }
  return Buffer.from([...head, ...(ext ? [type - 7] : []), ...extra]);
}

function uint(type: number, value: number | bigint): Buffer {
  let v = BigInt(value);
  const bytes: number[] = [];
  while (v > 0n) {
    bytes.unshift(Number(v & 255n));
    v >>= 8n;
  }
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

export function encode(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const b = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, b.length), b]);
  }
  if (typeof value === 'boolean') return control(14, value ? 1 : 0);
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return uint(6, value);
    const b = Buffer.alloc(8);
    b.writeDoubleBE(value);
    return Buffer.concat([control(3, 8), b]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}

/** Bits of a network in the IPv6 tree (IPv4 networks under ::/96). */
function networkBits(cidr: string): number[] {
  const r = parseCidr(cidr);
  if (!r) throw new Error(`bad network ${cidr}`);
  const bits: number[] = [];
  if (r.version === 4) {
    for (let i = 0; i < 96; i++) bits.push(0);
    for (let i = 31; i >= 32 - r.prefix; i--) bits.push(Math.floor((r.first as number) / 2 ** i) % 2);
  } else {
    for (let i = 127; i >= 128 - r.prefix; i--) bits.push(Number(((r.first as bigint) >> BigInt(i)) & 1n));
  }
  return bits;
}

export interface MmdbOptions {
  databaseType?: string;
}

/**
 * Builds a database from networks and their data. Later networks inside earlier ones override
 * them for their part (insert the wider network first).
 */
export function buildMmdb(networks: ReadonlyArray<[string, MmdbValue]>, options: MmdbOptions = {}): Buffer {
  const data: Buffer[] = [];
  let dataLength = 0;
  const root: TrieNode = { children: [undefined, undefined] };
  for (const [cidr, value] of networks) {
    const bytes = encode(value);
    const offset = dataLength;
    data.push(bytes);
    dataLength += bytes.length;
    const bits = networkBits(cidr);
    let node = root;
    for (let i = 0; i < bits.length - 1; i++) {
      const b = bits[i]!;
      let child = node.children[b];
      if (typeof child !== 'object') {
        // Split a data leaf (or nothing) into a node whose both halves keep it.
        const next: TrieNode = { children: [child, child] };
        node.children[b] = next;
        child = next;
      }
      node = child;
    }
    node.children[bits[bits.length - 1]!] = -1 - offset; // a data leaf, resolved below
  }
  // Number the nodes breadth-first.
  const nodes: TrieNode[] = [];
  const index = new Map<TrieNode, number>();
  const queue = [root];
  while (queue.length) {
    const n = queue.shift()!;
    index.set(n, nodes.length);
    nodes.push(n);
    for (const c of n.children) if (typeof c === 'object') queue.push(c);
  }
  const nodeCount = nodes.length;
  const record = (c: TrieNode | number | undefined): number =>
    c === undefined ? nodeCount : typeof c === 'object' ? index.get(c)! : nodeCount + 16 + (-1 - c);
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach((n, i) => {
    tree.writeUIntBE(record(n.children[0]), i * 6, 3);
    tree.writeUIntBE(record(n.children[1]), i * 6 + 3, 3);
  });
  const metadata = encode({
    node_count: nodeCount,
    record_size: 24,
    ip_version: 6,
    database_type: options.databaseType ?? 'Test-Country-ASN',
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1700000000,
    description: { en: 'test database' },
  });
  return Buffer.concat([
    tree,
    Buffer.alloc(16),
    ...data,
    Buffer.from([0xab, 0xcd, 0xef]),
    Buffer.from('MaxMind.com'),
    metadata,
  ]);
}
