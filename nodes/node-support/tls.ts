import type { NodeAPI } from 'node-red';
import { BadInputError } from '../lib/errors';
import type { TlsOptions } from '../lib/http/client';

interface TlsConfigNode {
  addTLSOptions(opts: Record<string, unknown>): Record<string, unknown>;
}

/**
 * Reads Node-RED's core `tls-config` node the way core http-request does (`addTLSOptions`).
 * No tls node: certificates are verified against the system CAs.
 */
export function tlsOptionsFrom(RED: NodeAPI, tlsId: string | undefined): TlsOptions | undefined {
  if (!tlsId) return undefined;
  const tlsNode = RED.nodes.getNode(tlsId) as unknown as TlsConfigNode | null;
  if (!tlsNode || typeof tlsNode.addTLSOptions !== 'function') {
    throw new BadInputError('tls', `the TLS configuration node ${tlsId} is missing or disabled`);
  }
  const opts = tlsNode.addTLSOptions({});
  return {
    ca: opts.ca as TlsOptions['ca'],
    cert: opts.cert as TlsOptions['cert'],
    key: opts.key as TlsOptions['key'],
    passphrase: opts.passphrase as string | undefined,
    servername: opts.servername as string | undefined,
    rejectUnauthorized: opts.rejectUnauthorized !== false,
  };
}
