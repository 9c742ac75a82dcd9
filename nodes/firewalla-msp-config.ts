/**
 * `firewalla-msp-config`: one Firewalla MSP domain and its personal access token. Owns the one
 * HTTP client (and with it the token's rate-limit budget) that every firewalla-flows node using
 * it shares; closes it on redeploy, which also cancels pagination and rate-limit waits in flight.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { FirewallaClient } from './lib/vendors/firewalla';
import { FIREWALLA_CONFIG, registerClientConfig } from './node-support/config-node';

interface FirewallaConfigDef extends NodeDef {
  host: string;
  tls?: string;
  timeout?: string | number;
}

interface FirewallaCredentials {
  token?: string;
}

export = function (RED: NodeAPI): void {
  registerClientConfig<FirewallaClient, FirewallaConfigDef, FirewallaCredentials>(RED, FIREWALLA_CONFIG, {
    credentials: { token: 'password' },
    create: (_def, creds, connection) => new FirewallaClient({ ...connection, token: creds.token }),
    // "Test connection": one cheap request (one flow), no retries; the answer never holds the token.
    async test(input) {
      const client = new FirewallaClient({
        host: input.host,
        tls: input.tls,
        timeoutMs: input.timeoutMs,
        token: input.credentials.token,
        retry: { maxRetries: 0 },
      });
      try {
        const page = await client.page({ limit: 1 });
        const rem = page.rate.remaining === undefined ? '' : `; ${page.rate.remaining} requests left in this rate-limit window`;
        return `Connected to ${client.host}: GET /v2/flows?limit=1 returned ${page.received} flow${page.received === 1 ? '' : 's'}${rem}`;
      } finally {
        await client.close();
      }
    },
  });
};
