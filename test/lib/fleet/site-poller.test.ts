import 'should';
import { SitePoller, parseSites, type HealthEvent, type SiteSession } from '../../../nodes/lib/fleet';
import { FlowError } from '../../../nodes/lib/errors';
import { fakeClock } from '../../support/clock';

describe('fleet: SitePoller', () => {
  const sites = parseSites(['10.0.0.1, a', '10.0.0.2, b', '10.0.0.3, c'].join('\n'));

  it('one session per site across cycles, idle sockets released after each poll, health fed, mayPoll honoured', async () => {
    const clock = fakeClock();
    const opened: string[] = [];
    const released: string[] = [];
    const closed: string[] = [];
    let bDown = true;
    const poller = new SitePoller(sites, {
      concurrency: 2,
      jitterMs: 0,
      clock,
      health: { failuresToDown: 2 },
      mayPoll: async (site) => site.name !== 'c',
      open(site): SiteSession {
        opened.push(site.name);
        return {
          async poll() {
            if (site.name === 'b' && bDown) throw new FlowError('TIMEOUT', 'no answer');
            return { records: [1, 2], invalid: [], meta: { host: site.host } };
          },
          releaseIdle: async () => void released.push(site.name),
          close: async () => void closed.push(site.name),
        };
      },
    });
    const events: HealthEvent[] = [];
    const results: string[] = [];
    const handlers = { onResult: (s: { name: string }) => void results.push(s.name), onEvent: (e: HealthEvent) => void events.push(e) };
    const r1 = await clock.run(poller.cycle(undefined, handlers));
    r1.should.containEql({ ran: true, sites: 3, ok: 1, failed: 1, skipped: 1, records: 2 });
    await clock.run(poller.cycle(undefined, handlers));
    bDown = false;
    await clock.run(poller.cycle(undefined, handlers));
    opened.sort().should.eql(['a', 'b']);
    released.length.should.equal(6);
    results.sort().should.eql(['a', 'a', 'a', 'b']);
    events.map((e) => `${e.event} ${e.site} ${e.health.lastErrorCode}`).should.eql(['down b TIMEOUT', 'up b TIMEOUT']);
    poller.health.summary().should.eql({ total: 3, ok: 2, down: 0, unknown: 1 });
    await poller.close();
    closed.sort().should.eql(['a', 'b']);
  });

  it('a second trigger while a cycle runs is skipped, not queued', async () => {
    const clock = fakeClock();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const poller = new SitePoller(sites, {
      concurrency: 3,
      jitterMs: 0,
      clock,
      open: () => ({ poll: async () => (await gate, { records: [], invalid: [], meta: {} }), close: async () => undefined }),
    });
    const first = poller.cycle();
    (await poller.cycle()).ran.should.be.false();
    release();
    (await first).ran.should.be.true();
    await poller.close();
  });
});
