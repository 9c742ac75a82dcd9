/**
 * `citrix-sdwan-config`: one Citrix SD-WAN appliance. Owns the one HTTP client and the one NITRO
 * session that every flows / ilbflows node using it shares; logs out and closes on redeploy.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { SdwanClient, apiVersionSchema } from './lib/vendors/citrix-sdwan';
import { parseInput } from './lib/validate';
import { registerClientConfig, SDWAN_CONFIG } from './node-support/config-node';

interface SdwanConfigDef extends NodeDef {
  host: string;
  tls?: string;
  timeout?: string | number;
  apiVersion?: string;
}

interface SdwanCredentials {
  username?: string;
  password?: string;
}

export = function (RED: NodeAPI): void {
  registerClientConfig<SdwanClient, SdwanConfigDef, SdwanCredentials>(RED, SDWAN_CONFIG, {
    credentials: { username: 'text', password: 'password' },
    create: (def, creds, connection) =>
      new SdwanClient({
        ...connection,
        username: creds.username ?? '',
        password: creds.password ?? '',
        apiVersion: parseInput(apiVersionSchema, def.apiVersion, 'apiVersion'),
      }),
    validate: (props) => parseInput(apiVersionSchema, props.apiVersion, 'apiVersion'),
    // "Test connection": log in, read 50 flows, log out.
    async test(input) {
      const client = new SdwanClient({
        host: input.host,
        tls: input.tls,
        timeoutMs: input.timeoutMs,
        username: input.credentials.username ?? '',
        password: input.credentials.password ?? '',
        apiVersion: parseInput(apiVersionSchema, input.props.apiVersion, 'apiVersion'),
        http: { retry: { maxRetries: 0 } },
      });
      try {
        const r = await client.fetch('flows', { maxStats: 50 });
        return `Logged in to ${client.host}; ${client.monitorPath('flows')} returned ${r.records.length} flow${r.records.length === 1 ? '' : 's'} (max_stats 50, ${r.envelope} envelope)`;
      } finally {
        await client.close();
      }
    },
  });
};
