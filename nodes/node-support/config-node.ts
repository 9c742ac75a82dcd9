/**
 * The vendor config nodes and the endpoint nodes that use them, written once: a config node owns
 * one shared client (built from its properties and credentials, closed on redeploy) or the error
 * that stopped it being built; an endpoint node looks the client up by the config node's id.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { BadInputError, FlowError } from '../lib/errors';
import type { HttpClientOptions } from '../lib/http/client';
import { texts } from './texts';
import { closeSharedClient, connectionOptions, registerConfigValidation, registerConnectionTest, type ConfigProps, type ConnectionTestInput } from './config';

/** What endpoint nodes read from a vendor config node. */
export interface ClientConfigNode<C, Creds extends object = Record<string, string | undefined>> extends Node<Creds> {
  /** The shared client, or undefined when the configuration is invalid (see `configError`) or closed. */
  client?: C;
  configError?: FlowError;
}

type CredentialType = 'text' | 'password';

/** A vendor config node type and how error texts name it. */
export interface ConfigNodeKind {
  type: string;
  /** After "select ": what to select, with its article. */
  select: string;
  /** Before " configuration": the thing configured. */
  name: string;
}

export const SDWAN_CONFIG: ConfigNodeKind = { type: 'citrix-sdwan-config', select: 'a Citrix SD-WAN appliance', name: 'appliance' };
export const FIREWALLA_CONFIG: ConfigNodeKind = { type: 'firewalla-msp-config', select: 'a Firewalla MSP', name: 'Firewalla MSP' };
export const FLOWGATEWAY_CONFIG: ConfigNodeKind = { type: 'riverbed-flowgateway-config', select: 'a FlowGateway device', name: 'FlowGateway' };

export interface ClientConfigSpec<C extends { close(): Promise<void> }, Def extends NodeDef & ConfigProps, Creds> {
  /** Credential fields and how the editor shows them. */
  credentials: { [F in keyof Creds & string]: CredentialType };
  /** Builds the shared client; throws a `FlowError` naming the field when a property is invalid. */
  create(def: Def, credentials: Creds, connection: Pick<HttpClientOptions, 'host' | 'tls' | 'timeoutMs'>): C;
  /** The type's own properties, checked by the editor as they are typed (host and timeout are always checked). */
  validate?: (props: Record<string, unknown>) => void;
  /** The editor's "Test connection": one cheap exchange with the dialog's values; the answer's text. */
  test(input: ConnectionTestInput): Promise<string>;
}

/** Registers a vendor config node type (`<type>.errors.invalid` is its catalogue text for a bad configuration). */
export function registerClientConfig<C extends { close(): Promise<void> }, Def extends NodeDef & ConfigProps, Creds extends object>(
  RED: NodeAPI,
  kind: ConfigNodeKind,
  spec: ClientConfigSpec<C, Def, Creds>,
): void {
  const type = kind.type;
  const t = texts(RED, type);

  function ClientConfig(this: ClientConfigNode<C, Creds>, def: Def): void {
    RED.nodes.createNode(this, def);
    const creds = (this.credentials ?? {});
    try {
      this.client = spec.create(def, creds, connectionOptions(RED, def));
    } catch (err) {
      this.configError = err instanceof FlowError ? err : new BadInputError('config', String(err));
      // Safe to log: validation texts name the field, never a credential value.
      const message = this.configError.message;
      this.error(t('errors.invalid', { message }));
    }
    // Bounded logout (if any), then every socket closed; done well inside Node-RED's close limit.
    closeSharedClient(this, 'client');
  }

  const credentials = Object.fromEntries(Object.entries(spec.credentials).map(([field, kind]) => [field, { type: kind as CredentialType }]));
  RED.nodes.registerType<ClientConfigNode<C, Creds>, Def, unknown, Creds>(type, ClientConfig, {
    credentials: credentials as Record<keyof Creds, { type: CredentialType }>,
  });
  registerConfigValidation(RED, type, spec.validate);
  registerConnectionTest(RED, type, Object.keys(spec.credentials), spec.test);
}

export interface ClientLookup<C> {
  /** Set when the node has no config node selected (report it at deploy). */
  missing: FlowError | undefined;
  /** The config node's client now; throws its configuration error, or BAD_INPUT when it is closed. */
  client(): C;
}

/** The shared client of the config node `serverId`, for an endpoint node. */
export function clientLookup<C>(RED: NodeAPI, serverId: string | undefined, kind: ConfigNodeKind): ClientLookup<C> {
  const server = serverId ? (RED.nodes.getNode(serverId) as ClientConfigNode<C> | null) : null;
  const missing = (): FlowError => new BadInputError('server', `select ${kind.select} (${kind.type} node)`);
  return {
    missing: server ? undefined : missing(),
    client() {
      if (!server) throw missing();
      if (server.configError) throw server.configError;
      const client = server.client;
      if (!client) throw new BadInputError('server', `the ${kind.name} configuration is closed or invalid`);
      return client;
    },
  };
}
