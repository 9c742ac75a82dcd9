/**
 * Shared by the three config nodes: reading `host` / `tls` / `timeout` into HTTP core options,
 * and the editor's "Test connection" admin endpoint.
 */
import type { Node, NodeAPI } from 'node-red';
import { BadInputError, FlowError, redact } from '../lib/errors';
import { CLOSE_BUDGET_MS, settleWithin } from '../lib/http/deadline';
import type { HttpClientOptions, TlsOptions } from '../lib/http/client';
import { parseHost } from '../lib/http/host';
import { tlsOptionsFrom } from './tls';
import { registerValidation } from './validation';

export interface ConfigProps {
  host?: string;
  tls?: string;
  timeout?: string | number;
}

/** Validates the shared config properties; throws BadInputError naming the field. */
export function connectionOptions(RED: NodeAPI, props: ConfigProps): Pick<HttpClientOptions, 'host' | 'tls' | 'timeoutMs'> {
  parseHost(props.host);
  return { host: String(props.host).trim(), tls: tlsOptionsFrom(RED, props.tls || undefined), timeoutMs: parseTimeout(props.timeout) };
}

/**
 * The editor's check of a config node (`POST /network-flows/validate`): host and timeout as
 * `connectionOptions` reads them, plus the type's own properties (`more`). The TLS node is
 * checked at deploy, when it exists.
 */
export function registerConfigValidation(RED: NodeAPI, type: string, more: (props: Record<string, unknown>) => void = () => undefined): void {
  registerValidation(RED, type, (props) => {
    parseHost(props.host);
    parseTimeout(props.timeout);
    more(props);
  }, { host: 'https://appliance.example' });
}

export function parseTimeout(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 100 || n > 600_000) {
    throw new BadInputError('timeout', `expected whole milliseconds from 100 to 600000, got ${JSON.stringify(value)}`);
  }
  return n;
}

export interface ConnectionTestInput {
  host: string;
  tls: TlsOptions | undefined;
  timeoutMs: number | undefined;
  /** Credentials typed in the dialog, or the stored ones where the dialog kept them hidden. */
  credentials: Record<string, string>;
  /** The rest of the dialog's properties (e.g. `authMethod`, `apiVersion`). */
  props: Record<string, unknown>;
}

/**
 * `POST /network-flows/<type>/test` with the dialog's current values: runs `test` against the
 * appliance and answers `{ok, message}` or `{ok: false, code, message}`. Passwords the editor
 * did not send back (`__PWRD__`, empty) come from the stored credentials of node `id`. The answer
 * never contains a credential.
 */
export function registerConnectionTest(
  RED: NodeAPI,
  type: string,
  credentialFields: readonly string[],
  test: (input: ConnectionTestInput) => Promise<string>,
): void {
  RED.httpAdmin.post(`/network-flows/${type}/test`, RED.auth.needsPermission(`${type}.write`), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const typed = (body.credentials ?? {}) as Record<string, unknown>;
    const stored = typeof body.id === 'string' ? ((RED.nodes.getCredentials(body.id) ?? {}) as Record<string, unknown>) : {};
    const credentials: Record<string, string> = {};
    for (const f of credentialFields) {
      const t = typed[f];
      const v = typeof t === 'string' && t !== '' && t !== '__PWRD__' ? t : stored[f];
      if (typeof v === 'string' && v !== '') credentials[f] = v;
    }
    const secrets = Object.values(credentials);
    let input: ConnectionTestInput;
    try {
      const conn = connectionOptions(RED, body);
      input = { host: conn.host, tls: conn.tls, timeoutMs: conn.timeoutMs, credentials, props: body };
    } catch (err) {
      res.json(failure(err, secrets));
      return;
    }
    // A test that throws before its first await (a bad property) fails like one that rejects.
    Promise.resolve()
      .then(() => test(input))
      .then((message) => res.json({ ok: true, message: redact(message, secrets) }))
      .catch((err: unknown) => res.json(failure(err, secrets)));
  });
}

function failure(err: unknown, secrets: string[]): { ok: false; code: string; message: string } {
  const code = err instanceof FlowError ? err.code : 'NETWORK';
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, code, message: redact(message, secrets) };
}

/**
 * The close handler of every config node: takes the shared client away from the endpoint nodes,
 * then closes it (a bounded logout, then every socket destroyed) and reports done within
 * CLOSE_BUDGET_MS, well inside Node-RED's 15 s, however the appliance behaves.
 */
export function closeSharedClient<K extends string>(node: Node & Partial<Record<K, { close(): Promise<void> }>>, key: K): void {
  node.on('close', (_removed: boolean, done: () => void) => {
    const client = node[key];
    node[key] = undefined as (typeof node)[K];
    if (!client) return done();
    void settleWithin(client.close(), CLOSE_BUDGET_MS).then(() => done());
  });
}
