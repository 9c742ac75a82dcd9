/**
 * The boxes of the simulated Firewalla MSP (docs/vendors/firewalla.md#boxes): `GET /v2/boxes`
 * answers a JSON array of Box objects (gid, name, model, mode, version, online, publicIP,
 * lastSeen, license, location, deviceCount, ruleCount, alarmCount, group), optionally only the
 * boxes of one group (`?group=<id>`). Each flow belongs to one box (its `gid`): with the default
 * two boxes by network as before (the Gold Plus covers Home Office and Guest, the Purple SE the
 * branch); with more boxes (`firewallaBoxes`), by a hash of the flow, so every box has its own
 * share of the traffic. A box switched offline reports no flows and `online: false`.
 */
import type { SimFlow } from '../traffic';

export interface SimBox {
  id: string;
  name: string;
  groupId: string;
  groupName: string;
  model: string;
  online: boolean;
  publicIP: string;
}

const LEGACY: SimBox[] = [
  { id: '00000000-1234-1234-aaaa-000000000000', name: 'Gold Plus', groupId: '1', groupName: 'Headquarters', model: 'goldplus', online: true, publicIP: '198.51.100.10' },
  { id: '00000000-5678-5678-bbbb-111111111111', name: 'Purple SE', groupId: '2', groupName: 'Branches', model: 'purplese', online: true, publicIP: '198.51.100.20' },
];
const MODELS = ['gold', 'goldplus', 'purple', 'purplese', 'firewalla-pse'];

/** The box list of one simulated MSP: `count` boxes, the first two as in the single-MSP demo. */
export class BoxCatalog {
  readonly boxes: SimBox[];
  private readonly byId = new Map<string, SimBox>();

  constructor(count = 2) {
    const n = Math.max(1, Math.floor(count));
    this.boxes = LEGACY.slice(0, Math.min(2, n)).map((b) => ({ ...b }));
    for (let i = this.boxes.length; i < n; i++) {
      const hex = i.toString(16).padStart(12, '0');
      this.boxes.push({
        id: `00000000-0000-4000-8000-${hex}`,
        name: `Site ${String(i + 1).padStart(3, '0')}`,
        groupId: String(3 + (i % 4)),
        groupName: `Region ${1 + (i % 4)}`,
        model: MODELS[i % MODELS.length]!,
        online: true,
        publicIP: `203.0.113.${1 + (i % 250)}`,
      });
    }
    for (const b of this.boxes) this.byId.set(b.id, b);
  }

  /** The box a flow belongs to. */
  boxOf(f: SimFlow): SimBox {
    if (this.boxes.length <= 2) return f.device.network.name === 'Branch LAN' && this.boxes[1] ? this.boxes[1] : this.boxes[0]!;
    let h = 2166136261;
    for (let i = 0; i < f.id.length; i++) h = Math.imul(h ^ f.id.charCodeAt(i), 16777619) >>> 0;
    return this.boxes[h % this.boxes.length]!;
  }

  get(id: string): SimBox | undefined {
    return this.byId.get(id);
  }

  /** Switches a box on or offline (an offline box sends no flows). */
  setOnline(id: string, online: boolean): void {
    const b = this.byId.get(id);
    if (!b) throw new Error(`simulator/firewalla: no box ${id}`);
    b.online = online;
  }

  /** The documented Box object. */
  render(b: SimBox, nowMs: number): Record<string, unknown> {
    return {
      gid: b.id,
      name: b.name,
      model: b.model,
      mode: 'router',
      version: '1.979',
      online: b.online,
      publicIP: b.publicIP,
      lastSeen: b.online ? Math.floor(nowMs / 1000) : Math.floor(nowMs / 1000) - 3600,
      license: `lic-${b.id.slice(-8)}`,
      location: 'Lyon, FR',
      deviceCount: 12,
      ruleCount: 4,
      alarmCount: 0,
      group: { id: b.groupId, name: b.groupName },
    };
  }
}
