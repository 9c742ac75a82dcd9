/**
 * `riverbed-flowgateway-config`: one Riverbed FlowGateway device. Owns the one HTTP client and
 * the one session or OAuth token that every stats node using it shares; logs the session out and
 * closes the connections on redeploy.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { z } from 'zod';
import { AUTH_METHODS, FlowGatewayClient, testConnection, type AuthMethod } from './lib/vendors/riverbed-flowgateway';
import { parseInput } from './lib/validate';
import { FLOWGATEWAY_CONFIG, registerClientConfig } from './node-support/config-node';

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

const AuthMethodSchema = z.preprocess(
  (v) => (v === undefined || v === '' ? 'basic' : v),
  z.enum(AUTH_METHODS, { error: 'expected basic, session or oauth' }),
);

function authMethodOf(v: unknown): AuthMethod {
  return parseInput(AuthMethodSchema, v, 'authMethod');
}

export = function (RED: NodeAPI): void {
  registerClientConfig<FlowGatewayClient, FlowGatewayConfigDef, FlowGatewayCredentials>(RED, FLOWGATEWAY_CONFIG, {
    credentials: { username: 'text', password: 'password', accessCode: 'password' },
    validate: (props) => authMethodOf(props.authMethod),
    create: (def, creds, connection) =>
      new FlowGatewayClient({
        ...connection,
        authMethod: authMethodOf(def.authMethod),
        credentials: { username: creds.username, password: creds.password, accessCode: creds.accessCode },
      }),
    // "Test connection": auth_info (supported methods), authenticate with the chosen method, read
    // the last minute of stats, log out.
    test: (input) =>
      testConnection({
        host: input.host,
        tls: input.tls,
        timeoutMs: input.timeoutMs,
        authMethod: authMethodOf(input.props.authMethod),
        credentials: input.credentials,
      }),
  });
};
