/** `citrix-sdwan-ilbflows`: `GET /sdwan/nitro/<v>/monitor/ilbflows` (internet load-balancing flows). */
import type { NodeAPI } from 'node-red';
import { registerSdwanEndpoint } from './node-support/citrix-sdwan-endpoint';

export = function (RED: NodeAPI): void {
  registerSdwanEndpoint(RED, 'citrix-sdwan-ilbflows', 'ilbflows');
};
