/** `citrix-sdwan-flows`: `GET /sdwan/nitro/<v>/monitor/flows` (LAN-to-WAN and WAN-to-LAN flows). */
import type { NodeAPI } from 'node-red';
import { registerSdwanEndpoint } from './node-support/citrix-sdwan-endpoint';

export = function (RED: NodeAPI): void {
  registerSdwanEndpoint(RED, 'citrix-sdwan-flows', 'flows');
};
