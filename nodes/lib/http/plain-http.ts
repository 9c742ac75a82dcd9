/**
 * A host without a scheme means https (docs/design.md#config-nodes). When its port speaks plain
 * HTTP, the server answers the TLS hello with "HTTP/1.1 400 ..." and OpenSSL fails in its record
 * layer: Node reports ERR_SSL_WRONG_VERSION_NUMBER ("wrong version number"), other OpenSSL lines
 * "packet length too long" or "http request". That is not a certificate problem, and the advice
 * must say so.
 */
import type { ParsedHost } from './host';

/** True when a TLS failure (code and message) is a plain-HTTP answer to the TLS hello. */
export function speaksPlainHttp(code: string, detail: string): boolean {
  return code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'ERR_SSL_HTTP_REQUEST'
    || /wrong version number|packet length too long|ssl3_get_record:http request/i.test(detail);
}

/** "GET /x: 127.0.0.1:8080 does not speak TLS (plain HTTP answered); did you mean http://127.0.0.1:8080?" */
export function plainHttpMessage(label: string, target: ParsedHost): string {
  const hostPort = target.origin.replace(/^https:\/\//, '');
  const plain = `http://${hostPort}${target.basePath}`;
  return `${label}: this port does not speak TLS (${hostPort} answered in plain HTTP); did you mean ${plain}?`;
}
