/**
 * IPFIX (RFC 7011): a 16-byte message header, then sets: 2 = templates, 3 = options templates,
 * 256.. = data. Field specifiers with the enterprise bit carry a 4-byte enterprise number and
 * are skipped by length (§3.2); a template record with field count 0 withdraws the template, and
 * one whose id is the set id (2 or 3) withdraws them all (§8.1). The header's sequence number
 * counts data records of the observation domain (§3.1), so lost records are counted from it.
 */
import type { DomainState, PacketTime } from './exporter-state';
import { MAX_TEMPLATE_FIELDS, type TemplateField } from './template';
import { BAD_SET, UNKNOWN_TEMPLATE, u16, u32, type PacketHandler } from './wire';

export const IPFIX_HEADER = 16;
const TEMPLATE_SET = 2;
const OPTIONS_TEMPLATE_SET = 3;

export function decodeIpfix(b: Uint8Array, h: PacketHandler): string | undefined {
  if (b.length < IPFIX_HEADER) return `ipfix: ${b.length} bytes, shorter than the 16-byte header`;
  const length = u16(b, 2);
  if (length < IPFIX_HEADER) return `ipfix: message length ${length} (at least 16)`;
  if (length > b.length) return `ipfix: message length ${length}, datagram has ${b.length} bytes`;
  const time: PacketTime = { exportMs: u32(b, 4) * 1000, uptimeMs: -1 };
  const sequence = u32(b, 8);
  const d = h.domain(10, u32(b, 12));
  if (d === undefined) return 'ipfix: too many observation domains for this exporter';
  h.sequence(d, sequence);
  let records = 0;
  let uncounted = false;
  let p = IPFIX_HEADER;
  while (p < length) {
    if (length - p < 4) return `ipfix: ${length - p} stray bytes after the last set`;
    const id = u16(b, p);
    const len = u16(b, p + 2);
    if (len < 4) return `ipfix: set ${id} length ${len} (at least 4)`;
    if (p + len > length) return `ipfix: set ${id} length ${len} runs past the message (${length - p} bytes left)`;
    const start = p + 4;
    const end = p + len;
    if (id === TEMPLATE_SET || id === OPTIONS_TEMPLATE_SET) {
      const err = templates(b, start, end, id === OPTIONS_TEMPLATE_SET, d, h);
      if (err !== undefined) return err;
    } else if (id >= 256) {
      const r = h.data(d, id, b, start, end, time);
      if (r === BAD_SET) return `ipfix: data set ${id} does not fit its template`;
      if (r === UNKNOWN_TEMPLATE) uncounted = true;
      else records += r;
    } else if (id < TEMPLATE_SET) {
      // 0 and 1 are NetFlow v9's template set ids, never valid in IPFIX (§3.3.2).
      return `ipfix: set id ${id} is not valid in IPFIX`;
    }
    // 4..255 are reserved: skipped by their length.
    p = end;
  }
  // Records of a set whose template is unknown cannot be counted: skip the next check.
  h.expectNext(d, uncounted ? -1 : (sequence + records) >>> 0);
  return undefined;
}

function templates(b: Uint8Array, p: number, end: number, options: boolean, d: DomainState, h: PacketHandler): string | undefined {
  const what = options ? 'options template' : 'template';
  while (end - p >= 4) {
    const id = u16(b, p);
    const count = u16(b, p + 2);
    if (count === 0) {
      // Withdrawal: 4 bytes, the set's own id meaning "all of them".
      if (id === (options ? OPTIONS_TEMPLATE_SET : TEMPLATE_SET)) h.withdrawAll(d, options);
      else if (id >= 256) h.withdraw(d, id);
      else if (id === 0) return undefined; // padding
      else return `ipfix: withdrawal of ${what} id ${id}`;
      p += 4;
      continue;
    }
    if (id < 256) return `ipfix: ${what} id ${id} (ids start at 256)`;
    if (count > MAX_TEMPLATE_FIELDS) return `ipfix: ${what} ${id} has ${count} fields`;
    p += 4;
    let scope = 0;
    if (options) {
      if (end - p < 2) return `ipfix: options template ${id} has no scope field count`;
      scope = u16(b, p);
      p += 2;
      if (scope === 0 || scope > count) return `ipfix: options template ${id} scope field count ${scope} of ${count} fields`;
    }
    const fields: TemplateField[] = new Array<TemplateField>(count);
    for (let i = 0; i < count; i++) {
      if (end - p < 4) return `ipfix: ${what} ${id} claims ${count} fields, its set ends after ${i}`;
      const raw = u16(b, p);
      const length = u16(b, p + 2);
      p += 4;
      let enterprise = 0;
      if (raw & 0x8000) {
        if (end - p < 4) return `ipfix: ${what} ${id} field ${i} has no enterprise number`;
        enterprise = u32(b, p);
        p += 4;
      }
      if (length === 0) return `ipfix: ${what} ${id} field ${i} has length 0`;
      fields[i] = { id: raw & 0x7fff, length, enterprise };
    }
    h.template(d, id, fields, scope, options);
  }
  return undefined;
}
