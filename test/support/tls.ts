import fs from 'node:fs';
import path from 'node:path';

const dir = path.join(__dirname, '..', 'fixtures', 'tls');
/** A loopback server certificate (CN=localhost, SAN 127.0.0.1 and ::1) signed by a test CA. */
export const serverKey = fs.readFileSync(path.join(dir, 'server.key'));
export const serverCert = fs.readFileSync(path.join(dir, 'server.crt'));
export const caCert = fs.readFileSync(path.join(dir, 'ca.crt'));
