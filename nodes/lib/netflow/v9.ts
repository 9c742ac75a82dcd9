/**
 * NetFlow v9 (RFC 3954): a 20-byte header, then FlowSets: 0 = templates, 1 = options templates,
 * 256.. = data. The header's sequence number counts export packets (RFC 3954 §5.1), so lost
 * packets are counted from it. Every length is checked against the datagram before it is used.
 */
import type { DomainState, PacketTime } from './exporter-state';
import { MAX_TEMPLATE_FIELDS, type TemplateField } from './template';
import { BAD_SET, u16, u32, type PacketHandler } from './wire';

export const V9_HEADER = 20;

export function decodeV9(b: Uint8Array, h: PacketHandler): string | undefined {
  const n = b.length;
  if (n < V9_HEADER) return `v9: ${n} bytes, shorter than the 20-byte header`;
  const uptimeMs = u32(b, 4);
  const time: PacketTime = { exportMs: u32(b, 8) * 1000, uptimeMs };
  const sequence = u32(b, 12);
  const d = h.domain(9, u32(b, 16));
  if (d === undefined) return 'v9: too many source ids for this exporter';
  h.sequence(d, sequence);
  let p = V9_HEADER;
  while (p < n) {
    if (n - p < 4) return `v9: ${n - p} stray bytes after the last FlowSet`;
    const id = u16(b, p);
    const len = u16(b, p + 2);
    if (len < 4) return `v9: FlowSet ${id} length ${len} (at least 4)`;
    if (p + len > n) return `v9: FlowSet ${id} length ${len} runs past the datagram (${n - p} bytes left)`;
    const start = p + 4;
    const end = p + len;
    let err: string | undefined;
    if (id === 0) err = templates(b, start, end, d, h);
    else if (id === 1) err = optionsTemplates(b, start, end, d, h);
    else if (id >= 256) {
      // An unknown template is counted (and the set held) by the collector, not an error.
      if (h.data(d, id, b, start, end, time) === BAD_SET) err = `v9: data FlowSet ${id} does not fit its template`;
    }
    // 2..255 are reserved: skipped by their length.
    if (err !== undefined) return err;
    p = end;
  }
  h.expectNext(d, (sequence + 1) >>> 0);
  return undefined;
}

function templates(b: Uint8Array, p: number, end: number, d: DomainState, h: PacketHandler): string | undefined {
  while (end - p >= 4) {
    const id = u16(b, p);
    const count = u16(b, p + 2);
    if (id === 0 && count === 0) return undefined; // padding
    if (id < 256) return `v9: template id ${id} (data template ids start at 256)`;
    if (count === 0 || count > MAX_TEMPLATE_FIELDS) return `v9: template ${id} has ${count} fields`;
    p += 4;
    if (p + count * 4 > end) return `v9: template ${id} claims ${count} fields, its FlowSet holds ${Math.floor((end - p) / 4)}`;
    const fields: TemplateField[] = new Array<TemplateField>(count);
    for (let i = 0; i < count; i++, p += 4) {
      const length = u16(b, p + 2);
      if (length === 0) return `v9: template ${id} field ${i} has length 0`;
      fields[i] = { id: u16(b, p), length, enterprise: 0 };
    }
    h.template(d, id, fields, 0, false);
  }
  return undefined;
}

function optionsTemplates(b: Uint8Array, p: number, end: number, d: DomainState, h: PacketHandler): string | undefined {
  while (end - p >= 6) {
    const id = u16(b, p);
    const scopeLen = u16(b, p + 2);
    const optionLen = u16(b, p + 4);
    if (id === 0 && scopeLen === 0 && optionLen === 0) return undefined; // padding
    if (id < 256) return `v9: options template id ${id} (ids start at 256)`;
    if (scopeLen % 4 !== 0 || optionLen % 4 !== 0) return `v9: options template ${id} scope/option lengths ${scopeLen}/${optionLen} are not multiples of 4`;
    const count = (scopeLen + optionLen) / 4;
    if (count === 0 || count > MAX_TEMPLATE_FIELDS) return `v9: options template ${id} has ${count} fields`;
    p += 6;
    if (p + scopeLen + optionLen > end) return `v9: options template ${id} claims ${scopeLen + optionLen} bytes of fields, its FlowSet holds ${end - p}`;
    const fields: TemplateField[] = new Array<TemplateField>(count);
    for (let i = 0; i < count; i++, p += 4) {
      const length = u16(b, p + 2);
      if (length === 0) return `v9: options template ${id} field ${i} has length 0`;
      fields[i] = { id: u16(b, p), length, enterprise: 0 };
    }
    h.template(d, id, fields, scopeLen / 4, true);
  }
  return undefined;
}
