/**
 * `citrix-sdwan-config`: one Citrix SD-WAN appliance. Owns the one HTTP client and the one NITRO
 * session that every flows / ilbflows node using it shares; logs out and closes on redeploy.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { FlowError } from './lib/errors';
import { SdwanClient, apiVersionSchema } from './lib/vendors/citrix-sdwan';
import { parseInput } from './lib/validate';
import { closeSharedClient, connectionOptions, registerConfigValidation, registerConnectionTest } from './node-support/config';
import type { SdwanConfigNode, SdwanCredentials } from './node-support/citrix-sdwan-endpoint';

interface SdwanConfigDef extends NodeDef {
  host: string;
  tls?: string;
  timeout?: string | number;
  apiVersion?: string;
}

export = function (RED: NodeAPI): void {
  function SdwanConfig(this: SdwanConfigNode, def: SdwanConfigDef): void {
    RED.nodes.createNode(this, def);
    const creds = this.credentials ?? {};
    try {
      const conn = connectionOptions(RED, def);
      this.sdwan = new SdwanClient({
        ...conn,
        username: creds.username ?? '',
        password: creds.password ?? '',
        apiVersion: parseInput(apiVersionSchema, def.apiVersion, 'apiVersion'),
      });
    } catch (err) {
      this.configError = err instanceof FlowError ? err : new FlowError('BAD_INPUT', String(err));
      // Safe to log: validation texts name the field, never a credential value.
      this.error(RED._('citrix-sdwan-config.errors.invalid', { message: this.configError.message }));
    }
    // Bounded logout (if any), then every socket closed; done well inside Node-RED's close limit.
    closeSharedClient(this, 'sdwan');
  }

  RED.nodes.registerType<SdwanConfigNode, SdwanConfigDef, unknown, SdwanCredentials>('citrix-sdwan-config', SdwanConfig, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });

  registerConfigValidation(RED, 'citrix-sdwan-config', (props) => parseInput(apiVersionSchema, props.apiVersion, 'apiVersion'));

  // "Test connection": log in, read 50 flows, log out.
  registerConnectionTest(RED, 'citrix-sdwan-config', ['username', 'password'], async (input) => {
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
  });
};
