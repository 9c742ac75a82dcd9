/**
 * Riverbed FlowGateway authentication, the Common API 1.0 (docs/vendors/riverbed-flowgateway.md):
 * `auth_info` lists the methods, HTTP Basic, cookie sessions (`login` / `logout`), and OAuth 2.0
 * access code -> bearer token with an expiry. Accounts may be disabled, have an expired password
 * or lack the analytics role.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { DEMO_CREDENTIALS, sendJson, type SimContext, type SimRequest, type SimulatorOptions } from '../server';
import type { FlowGatewayAccount, FlowGatewaySimOptions, FlowGatewaySimState } from './index';
import { ApiError } from './render';

const SESSION_KEY = 'SESSID';

export interface FlowGatewayAuth {
  /** The methods `auth_info` lists; others are refused. */
  methods(): string[];
  /** The accounts the appliance knows (read live from the options). */
  accounts(): Record<string, FlowGatewayAccount>;
  /** Who is calling, or an ApiError. Order as the appliance: Authorization header, then cookie. */
  authenticate(req: SimRequest): string;
  login(req: SimRequest, res: http.ServerResponse): void;
  logout(req: SimRequest, res: http.ServerResponse): void;
  token(req: SimRequest, res: http.ServerResponse): void;
}

export function flowgatewayAuth(ctx: SimContext, options: SimulatorOptions, state: FlowGatewaySimState): FlowGatewayAuth {
  const opts = options as SimulatorOptions & FlowGatewaySimOptions;
  const accounts = (): Record<string, FlowGatewayAccount> => ({
    [options.credentials?.flowgatewayUsername ?? DEMO_CREDENTIALS.flowgatewayUsername]: {
      password: options.credentials?.flowgatewayPassword ?? DEMO_CREDENTIALS.flowgatewayPassword,
    },
    ...opts.flowgatewayAccounts,
  });
  const accessCodes = (): Record<string, { user: string; expired?: boolean }> => ({
    [options.credentials?.flowgatewayAccessCode ?? DEMO_CREDENTIALS.flowgatewayAccessCode]: {
      user: options.credentials?.flowgatewayUsername ?? DEMO_CREDENTIALS.flowgatewayUsername,
    },
    ...opts.flowgatewayAccessCodes,
  });
  const methods = (): string[] => opts.flowgatewayMethods ?? ['BASIC', 'COOKIE', 'OAUTH_2_0'];

  function checkAccount(username: unknown, password: unknown): string {
    const acct = typeof username === 'string' ? accounts()[username] : undefined;
    if (!acct || acct.password !== password) {
      throw new ApiError(401, 'AUTH_INVALID_CREDENTIALS', 'Invalid username and/or password.');
    }
    if (acct.state === 'disabled') throw new ApiError(403, 'AUTH_DISABLED_ACCOUNT', 'Account is either temporarily or permanently disabled.');
    if (acct.state === 'expired-password') {
      throw new ApiError(403, 'AUTH_EXPIRED_PASSWORD', 'The password must be changed. Access only to password change resources.');
    }
    return username as string;
  }

  function authenticate(req: SimRequest): string {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^(\S+)\s+(\S+)$/.exec(auth.trim());
      if (!m) throw new ApiError(400, 'HTTP_INVALID_HEADER', 'An HTTP header was malformed.', { header: 'Authorization' });
      const scheme = m[1]!.toLowerCase();
      if (scheme === 'basic') {
        if (!methods().includes('BASIC')) throw new ApiError(401, 'AUTH_REQUIRED', 'BASIC authentication is disabled on this device.');
        const decoded = Buffer.from(m[2]!, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 0) throw new ApiError(400, 'HTTP_INVALID_HEADER', 'An HTTP header was malformed.', { header: 'Authorization' });
        return checkAccount(decoded.slice(0, colon), decoded.slice(colon + 1));
      }
      if (scheme === 'bearer') {
        const t = state.tokens.get(m[2]!);
        if (!t) throw new ApiError(401, 'AUTH_INVALID_TOKEN', 'OAuth access token is invalid.');
        if (ctx.now() >= t.expiresAt) throw new ApiError(401, 'AUTH_EXPIRED_TOKEN', 'OAuth access token is expired.');
        return t.user;
      }
      throw new ApiError(400, 'HTTP_INVALID_HEADER', 'An HTTP header was malformed.', { header: 'Authorization' });
    }
    const sid = readCookie(req.headers.cookie, SESSION_KEY);
    if (sid !== undefined) {
      const user = state.sessions.get(sid);
      if (!user) throw new ApiError(401, 'AUTH_INVALID_SESSION', 'Session ID is invalid');
      return user;
    }
    throw new ApiError(401, 'AUTH_REQUIRED', 'The requested resource requires authentication.');
  }

  function login(req: SimRequest, res: http.ServerResponse): void {
    if (req.method !== 'POST') throw new ApiError(405, 'HTTP_INVALID_METHOD', 'Requested method is not available for this resource.');
    if (!methods().includes('COOKIE')) throw new ApiError(401, 'AUTH_REQUIRED', 'COOKIE authentication is disabled on this device.');
    const input = readInput(req);
    if (typeof input.username !== 'string' || typeof input.password !== 'string') {
      throw new ApiError(400, 'REQUEST_INVALID_INPUT', 'Malformed input structure: username and password are required.');
    }
    let user: string;
    try {
      user = checkAccount(input.username, input.password);
    } catch (e) {
      state.failedLogins++;
      throw e;
    }
    const id = randomBytes(32).toString('hex');
    state.sessions.set(id, user);
    state.logins++;
    sendJson(res, 200, { session_key: SESSION_KEY, session_id: id }, { 'set-cookie': `${SESSION_KEY}=${id}; path=/; secure; HttpOnly` });
  }

  function logout(req: SimRequest, res: http.ServerResponse): void {
    // The schema says POST, the prose says GET: accept both.
    if (req.method !== 'POST' && req.method !== 'GET') {
      throw new ApiError(405, 'HTTP_INVALID_METHOD', 'Requested method is not available for this resource.');
    }
    const sid = readCookie(req.headers.cookie, SESSION_KEY);
    if (sid === undefined) throw new ApiError(401, 'AUTH_REQUIRED', 'The requested resource requires authentication.');
    if (!state.sessions.delete(sid)) throw new ApiError(401, 'AUTH_INVALID_SESSION', 'Session ID is invalid');
    state.logouts++;
    res.writeHead(204);
    res.end();
  }

  function token(req: SimRequest, res: http.ServerResponse): void {
    if (req.method !== 'POST') throw new ApiError(405, 'HTTP_INVALID_METHOD', 'Requested method is not available for this resource.');
    if (!methods().includes('OAUTH_2_0')) throw new ApiError(401, 'AUTH_REQUIRED', 'OAUTH_2_0 authentication is disabled on this device.');
    const type = String(req.headers['content-type'] ?? '');
    if (!type.includes('application/x-www-form-urlencoded')) {
      throw new ApiError(400, 'REQUEST_INVALID_INPUT', 'Malformed input structure: expected application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(req.body);
    const grant = form.get('grant_type');
    const assertion = form.get('assertion');
    if (grant === null) throw new ApiError(400, 'URI_MISSING_PARAMETER', 'Missing required parameter.', { parameter: 'grant_type' });
    if (assertion === null) throw new ApiError(400, 'URI_MISSING_PARAMETER', 'Missing required parameter.', { parameter: 'assertion' });
    if (grant !== 'access_code') throw new ApiError(400, 'URI_INVALID_PARAMETER', 'URI parameter is not supported or malformed.', { parameter: 'grant_type' });
    const code = accessCodes()[assertion];
    if (!code) throw new ApiError(401, 'AUTH_INVALID_CODE', 'OAuth access code is invalid.');
    if (code.expired) throw new ApiError(401, 'AUTH_EXPIRED_CODE', 'OAuth access code is expired.');
    const lifetime = opts.flowgatewayTokenLifetime ?? 3600;
    const value = randomBytes(24).toString('base64url');
    state.tokens.set(value, { user: code.user, expiresAt: ctx.now() + lifetime * 1000 });
    state.tokenGrants++;
    const out: Record<string, unknown> = { access_token: value, token_type: 'bearer', allowed_signature_types: ['none'], expires_in: lifetime };
    const st = form.get('state');
    if (st !== null) out.state = st;
    sendJson(res, 200, out);
  }

  return { methods, accounts, authenticate, login, logout, token };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** login accepts JSON and form-encoded input, as documented. */
function readInput(req: SimRequest): Record<string, unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(req.body));
  try {
    const v: unknown = JSON.parse(req.body);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    throw new ApiError(400, 'BAD_REQUEST', 'Invalid argument: the body is not JSON.');
  }
  throw new ApiError(400, 'REQUEST_INVALID_INPUT', 'Malformed input structure: expected an object.');
}
