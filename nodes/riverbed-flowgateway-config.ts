/**
 * `riverbed-flowgateway-config`: one Riverbed FlowGateway device. Owns the one HTTP client and
 * the one session or OAuth token that every stats node using it shares; logs the session out and
 * closes the connections on redeploy.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { FlowError } from './lib/errors';
import { AUTH_METHODS, FlowGatewayClient, testConnection, type AuthMethod } from './lib/vendors/riverbed-flowgateway';
import { parseInput } from './lib/validate';
import { closeSharedClient, connectionOptions, registerConfigValidation, registerConnectionTest } from './node-support/config';
import { z } from 'zod';

interface FlowGatewayCredentials {
  username?: string;
  password?: string;
  accessCode?: string;
}

interface FlowGatewayConfigDef extends NodeDef {
  host: string;
  tls?: string;
  timeout?: string | number;
  authMethod?: string;
}

/** What `riverbed-flowgateway-stats` reads from this node. */
interface FlowGatewayConfigNode extends Node<FlowGatewayCredentials> {
  flowgateway?: FlowGatewayClient;
  configError?: FlowError;
}

const AuthMethodSchema = z.preprocess(
  (v) => (v === undefined || v === '' ? 'basic' : v),
  z.enum(AUTH_METHODS, { error: 'expected basic, session or oauth' }),
);

function authMethodOf(v: unknown): AuthMethod {
  return parseInput(AuthMethodSchema, v, 'authMethod');
}

export = function (RED: NodeAPI): void {
  function FlowGatewayConfig(this: FlowGatewayConfigNode, def: FlowGatewayConfigDef): void {
    RED.nodes.createNode(this, def);
    const creds = this.credentials ?? {};
    try {
      const conn = connectionOptions(RED, def);
      this.flowgateway = new FlowGatewayClient({
        ...conn,
        authMethod: authMethodOf(def.authMethod),
        credentials: { username: creds.username, password: creds.password, accessCode: creds.accessCode },
      });
    } catch (err) {
      this.configError = err instanceof FlowError ? err : new FlowError('BAD_INPUT', String(err));
      // Safe to log: validation texts name the field, never a credential value.
      const key = 'riverbed-flowgateway-config.errors.invalid';
      const text = RED._(key, { message: this.configError.message });
      this.error(text && text !== key ? text : `Invalid FlowGateway configuration: ${this.configError.message}`);
    }
    // Bounded logout (if any), then every socket closed; done well inside Node-RED's close limit.
    closeSharedClient(this, 'flowgateway');
  }

  RED.nodes.registerType<FlowGatewayConfigNode, FlowGatewayConfigDef, unknown, FlowGatewayCredentials>('riverbed-flowgateway-config', FlowGatewayConfig, {
    credentials: { username: { type: 'text' }, password: { type: 'password' }, accessCode: { type: 'password' } },
  });

  registerConfigValidation(RED, 'riverbed-flowgateway-config', (props) => authMethodOf(props.authMethod));

  // "Test connection": auth_info (supported methods), authenticate with the chosen method, read
  // the last minute of stats, log out.
  registerConnectionTest(RED, 'riverbed-flowgateway-config', ['username', 'password', 'accessCode'], async (input) =>
    testConnection({
      host: input.host,
      tls: input.tls,
      timeoutMs: input.timeoutMs,
      authMethod: authMethodOf(input.props.authMethod),
      credentials: input.credentials,
    }),
  );
};
