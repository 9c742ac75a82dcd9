/**
 * Citrix SD-WAN NITRO sessions (docs/vendors/citrix-sdwan.md): `POST config/login` with a JSON
 * `{"login":{username,password}}` body sets a session cookie and a token cookie (names random per
 * simulator, so no client can hard-code them), `DELETE config/login` ends the session, and a
 * session unused for the idle timeout ends by itself.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { sendJson, type SimContext, type SimRequest } from '../server';
import type { SdwanSimState } from './index';
import { SDWAN_ERRORS, sendError } from './render';

export interface SdwanAccount {
  username: string;
  password: string;
  /** A session unused this long ends. */
  idleMs: number;
}

export interface SdwanSessions {
  readonly cookieNames: { session: string; token: string };
  readonly count: number;
  /** The session the request's cookies name, if both cookies match a live, unexpired one. */
  sessionOf(req: SimRequest): string | undefined;
  login(req: SimRequest, res: http.ServerResponse): true;
  logout(req: SimRequest, res: http.ServerResponse): true;
  /** Ends every session (the simulator's `expireSessions`). */
  clear(): void;
}

interface Session {
  token: string;
  lastUsed: number;
}

/** The session store of one simulator; `counters` gets the login / logout counts. */
export function sdwanSessions(ctx: SimContext, account: SdwanAccount, counters: Pick<SdwanSimState, 'logins' | 'failedLogins' | 'logouts'>): SdwanSessions {
  const suffix = randomBytes(3).toString('hex');
  const cookieNames = { session: `SDWANSESS_${suffix}`, token: `nitro_xsrf_${suffix}` };
  const sessions = new Map<string, Session>();

  function sessionOf(req: SimRequest): string | undefined {
    const cookies = parseCookieHeader(req.headers.cookie);
    const id = cookies.get(cookieNames.session);
    const token = cookies.get(cookieNames.token);
    if (!id || !token) return undefined;
    const s = sessions.get(id);
    if (!s || s.token !== token) return undefined;
    if (ctx.now() - s.lastUsed > account.idleMs) {
      sessions.delete(id);
      return undefined;
    }
    s.lastUsed = ctx.now();
    return id;
  }

  function login(req: SimRequest, res: http.ServerResponse): true {
    const type = String(req.headers['content-type'] ?? '').toLowerCase();
    if (!type.startsWith('application/json')) {
      counters.failedLogins++;
      return sendError(res, 415, SDWAN_ERRORS.unsupportedMedia, 'Failed: Data format unacceptable, expected Content-Type application/json');
    }
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch {
      counters.failedLogins++;
      return sendError(res, 400, SDWAN_ERRORS.badRequest, 'Failed: bad input parameter, body is not valid JSON');
    }
    const l = (body as { login?: { username?: unknown; password?: unknown } } | null)?.login;
    if (!l || typeof l !== 'object' || typeof l.username !== 'string' || typeof l.password !== 'string') {
      counters.failedLogins++;
      return sendError(res, 400, SDWAN_ERRORS.badRequest, 'Failed: bad input parameter, expected {"login":{"username","password"}}');
    }
    if (l.username !== account.username || l.password !== account.password) {
      counters.failedLogins++;
      return sendError(res, 401, SDWAN_ERRORS.invalidCredentials, 'Invalid username or password');
    }
    const id = randomBytes(16).toString('hex');
    const token = randomBytes(12).toString('base64url');
    sessions.set(id, { token, lastUsed: ctx.now() });
    counters.logins++;
    sendJson(res, 200, { login: { message: 'resource added succesfully' } }, {
      'set-cookie': [
        `${cookieNames.session}=${id}; Path=/; HttpOnly; SameSite=Strict`,
        `${cookieNames.token}=${token}; Path=/; SameSite=Strict`,
        // An old firmware's cookie being cleared: a client must drop it, not send it back.
        'citrix_ns_id=; Path=/; Max-Age=0',
      ],
    });
    return true;
  }

  function logout(req: SimRequest, res: http.ServerResponse): true {
    const id = sessionOf(req);
    if (!id) return sendError(res, 401, SDWAN_ERRORS.sessionExpired, 'Session expired or invalid, please log in again');
    sessions.delete(id);
    counters.logouts++;
    sendJson(res, 200, { login: { message: 'resource deleted succesfully' } }, {
      'set-cookie': [
        `${cookieNames.session}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT`,
        `${cookieNames.token}=; Path=/; Max-Age=0`,
      ],
    });
    return true;
  }

  return {
    cookieNames,
    get count() {
      return sessions.size;
    },
    sessionOf,
    login,
    logout,
    clear: () => sessions.clear(),
  };
}

function parseCookieHeader(header: string | string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const text = Array.isArray(header) ? header.join('; ') : (header ?? '');
  for (const part of text.split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}
