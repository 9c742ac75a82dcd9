/**
 * `firewalla-msp-config`: one Firewalla MSP domain and its personal access token. Owns the one
 * HTTP client (and with it the token's rate-limit budget) that every firewalla-flows node using
 * it shares; closes it on redeploy, which also cancels pagination and rate-limit waits in flight.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { BadInputError, FlowError } from './lib/errors';
import { FirewallaClient } from './lib/vendors/firewalla';
import { closeSharedClient, connectionOptions, registerConfigValidation, registerConnectionTest } from './node-support/config';

interface FirewallaConfigDef extends NodeDef {
  host: string;
  tls?: string;
  timeout?: string | number;
}

interface FirewallaCredentials {
  token?: string;
}

/** What firewalla-flows nodes read from this node (the same shape is declared there). */
interface FirewallaConfigNode extends Node<FirewallaCredentials> {
  firewalla?: FirewallaClient;
  configError?: FlowError;
}

export = function (RED: NodeAPI): void {
  function FirewallaConfig(this: FirewallaConfigNode, def: FirewallaConfigDef): void {
    RED.nodes.createNode(this, def);
    const creds = this.credentials ?? {};
    try {
      this.firewalla = new FirewallaClient({ ...connectionOptions(RED, def), token: creds.token });
    } catch (err) {
      this.configError = err instanceof FlowError ? err : new BadInputError('config', String(err));
      // Safe to log: validation texts name the field, never a credential value.
      this.error(RED._('firewalla-msp-config.errors.invalid', { message: this.configError.message }));
    }
    // Bounded logout (if any), then every socket closed; done well inside Node-RED's close limit.
    closeSharedClient(this, 'firewalla');
  }

  RED.nodes.registerType<FirewallaConfigNode, FirewallaConfigDef, unknown, FirewallaCredentials>('firewalla-msp-config', FirewallaConfig, {
    credentials: { token: { type: 'password' } },
  });

  registerConfigValidation(RED, 'firewalla-msp-config');

  // "Test connection": one cheap request (one flow), no retries; the answer never holds the token.
  registerConnectionTest(RED, 'firewalla-msp-config', ['token'], async (input) => {
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
  });
};
