import 'should';
import { parseSites } from '../../../nodes/lib/fleet';

describe('fleet: parseSites', () => {
  it('reads hosts, names and per-site options; comments and empty lines are skipped', () => {
    const sites = parseSites(['# branch offices', '10.1.2.3', '', 'https://sdwan-17.example, Lyon', '10.9.9.9, Oslo, port=8443, tls=tls1, timeout=5000  # new box'].join('\n'));
    sites.should.eql([
      { name: '10.1.2.3', host: '10.1.2.3', line: 2 },
      { name: 'Lyon', host: 'https://sdwan-17.example', line: 4 },
      { name: 'Oslo', host: 'https://10.9.9.9:8443', tls: 'tls1', timeoutMs: 5000, line: 5 },
    ]);
  });

  it('names the line of every mistake', () => {
    (() => parseSites('10.1.2.3\nftp://x')).should.throw(/^sites: line 2: /);
    (() => parseSites('10.1.2.3, a\n10.1.2.4, a')).should.throw(/line 2: the site name "a" is already used/);
    (() => parseSites('10.1.2.3, a, port=70000')).should.throw(/line 1: port: expected a port from 1 to 65535, got "70000"/);
    (() => parseSites('10.1.2.3, a, colour=red')).should.throw(/line 1: unknown option "colour"/);
    (() => parseSites('# nothing')).should.throw(/at least one site/);
  });

  it('caps the size of a line before reading it', () => {
    (() => parseSites(`10.1.2.3, ${'x'.repeat(2000)}`)).should.throw(/line 1: expected at most 1000 characters/);
  });
});
