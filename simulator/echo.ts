/**
 * A vendor-neutral endpoint for testing the HTTP core: `/echo` answers what it received,
 * `/echo/status/<code>` answers that status. Faults apply to it like to any vendor path.
 */
import { registerVendor, sendJson } from './server';

registerVendor('echo', () => ({
  name: 'echo',
  handle(req, res) {
    if (!req.path.startsWith('/echo')) return false;
    const status = /^\/echo\/status\/(\d{3})$/.exec(req.path);
    if (status) {
      sendJson(res, Number(status[1]), { error: { message: `status ${status[1]} as asked`, type: 'ECHO' } });
      return true;
    }
    sendJson(res, 200, {
      method: req.method,
      path: req.path,
      rawQuery: req.rawQuery,
      query: Object.fromEntries(req.query),
      headers: req.headers,
      body: req.body,
    });
    return true;
  },
}));
