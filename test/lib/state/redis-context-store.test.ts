import 'should';
import { startRedis, type RedisServer } from '../../support/redis';
import { fakeClock } from '../../support/clock';
import { redisContextStore, redisStoreFor, type LeaseBackend, type RedisContextStore } from '../../../nodes/lib/state/redis-context-store';
import { parseContextKey, setPath } from '../../../nodes/lib/state/context-path';
import { Leases } from '../../../nodes/lib/state/leases';

const get = (s: RedisContextStore, scope: string, key: string | string[]): Promise<unknown[]> =>
  new Promise((resolve, reject) => s.get(scope, key, (err, ...values) => (err ? reject(err) : resolve(values))));
const set = (s: RedisContextStore, scope: string, key: string | string[], value: unknown): Promise<void> =>
  new Promise((resolve, reject) => s.set(scope, key, value, (err) => (err ? reject(err) : resolve())));
const keys = (s: RedisContextStore, scope: string): Promise<string[]> =>
  new Promise((resolve, reject) => s.keys(scope, (err, k) => (err ? reject(err) : resolve(k ?? []))));

describe('lib/state: context keys', () => {
  it('parses names, dots, quoted names and indexes, and names the column of a mistake', () => {
    parseContextKey('a.b["c d"][2]').should.eql(['a', 'b', 'c d', 2]);
    parseContextKey("x['y']").should.eql(['x', 'y']);
    (() => parseContextKey('a..b')).should.throw(/key.*column 3/);
    (() => parseContextKey('a[x]')).should.throw(/array index or a quoted name/);
    (() => parseContextKey('a'.repeat(1001))).should.throw(/longer than 1000/);
  });
  it('sets a nested value in a copy, creating arrays for indexes; undefined deletes', () => {
    const root = { a: { b: 1 } };
    (setPath(root, ['a', 'c', 0], 'x') as object).should.eql({ a: { b: 1, c: ['x'] } });
    root.should.eql({ a: { b: 1 } });
    (setPath(root, ['a', 'b'], undefined) as object).should.eql({ a: {} });
  });
});

describe('lib/state: the Redis context store and leases (real redis-server)', function () {
  this.timeout(20_000);
  let redis: RedisServer;
  const open: RedisContextStore[] = [];
  let n = 0;
  async function store(prefix = `p${++n}`): Promise<RedisContextStore> {
    const s = redisContextStore({ url: redis.url, prefix });
    await s.open();
    open.push(s);
    return s;
  }

  before(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  after(() => redis.stop());

  it('keeps values per scope, as JSON, across a new connection (a restart)', async () => {
    const a = await store('same');
    await set(a, 'n1:f1', 'cursor', { lastEnd: 1700000000, lastQuery: 'ts:1-2' });
    await set(a, 'n1:f1', 'deep.list[1]', 'two');
    await set(a, 'global', ['x', 'y'], [1, 'why']);
    (await get(a, 'n1:f1', 'deep')).should.eql([{ list: [undefined, 'two'].map((v) => v ?? null) }]);
    const b = await store('same');
    (await get(b, 'n1:f1', 'cursor')).should.eql([{ lastEnd: 1700000000, lastQuery: 'ts:1-2' }]);
    (await get(b, 'global', ['x', 'y', 'missing'])).should.eql([1, 'why', undefined]);
    (await keys(b, 'n1:f1')).sort().should.eql(['cursor', 'deep']);
    await set(b, 'n1:f1', 'cursor', undefined);
    (await keys(b, 'n1:f1')).should.eql(['deep']);
  });

  it('cleans the scopes of nodes no longer deployed, keeps global and flow scopes; delete drops a scope', async () => {
    const s = await store();
    await set(s, 'gone:f1', 'v', 1);
    await set(s, 'kept:f1', 'v', 2);
    await set(s, 'f1', 'v', 3);
    await set(s, 'global', 'v', 4);
    await s.clean(['kept']);
    (await get(s, 'gone:f1', 'v')).should.eql([undefined]);
    (await get(s, 'kept:f1', 'v')).should.eql([2]);
    (await get(s, 'f1', 'v')).should.eql([3]);
    (await get(s, 'global', 'v')).should.eql([4]);
    await s.delete('kept:f1');
    (await keys(s, 'kept:f1')).should.eql([]);
  });

  it('is asynchronous only: a get without a callback says so', async () => {
    const s = await store();
    (() => s.get('global', 'v')).should.throw(/asynchronous.*callback/);
  });

  it('never shows the password of its URL in an error', async () => {
    const s = redisContextStore({ url: 'redis://user:s3cret-pass-word@127.0.0.1:1', prefix: 'x', connectTimeout: 500 });
    const err = await s.open().then(() => undefined, (e: unknown) => e as Error);
    await s.close();
    // The first connection must work: Node-RED then reports the store at start.
    err!.message.should.match(/cannot connect to redis:\/\/127\.0\.0\.1:1\b/);
    err!.message.should.not.containEql('s3cret-pass-word');
  });

  it('is found from its settings.js config object, as nodes look it up', async () => {
    const config = { url: redis.url, prefix: 'lookup' };
    const s = redisContextStore(config);
    (redisStoreFor(config) === s).should.be.true();
    (redisStoreFor({ ...config }) === undefined).should.be.true();
  });

  it('leases: one holder at a time, renewal by the holder only, release hands over at once', async () => {
    const s = await store();
    const a = new Leases({ backend: s, owner: 'a' });
    const b = new Leases({ backend: s, owner: 'b' });
    try {
      (await a.acquire('poll:x', 10_000)).should.be.true();
      (await b.acquire('poll:x', 10_000)).should.be.false();
      (await a.acquire('poll:x', 10_000)).should.be.true(); // renewed
      a.isLeader('poll:x').should.be.true();
      b.isLeader('poll:x').should.be.false();
      (await s.holder('poll:x'))!.should.equal('a');
      await a.release('poll:x');
      a.isLeader('poll:x').should.be.false();
      (await b.acquire('poll:x', 10_000)).should.be.true();
    } finally {
      await a.close();
      await b.close();
    }
    (await s.holder('poll:x') === null).should.be.true();
  });

  it('fencing: the holder stops counting itself leader at its local deadline, and at once when a renewal fails', async () => {
    const s = await store();
    const clock = fakeClock();
    let failing = false;
    const backend: LeaseBackend = {
      lease: (k, o, t) => (failing ? Promise.reject(new Error('connection lost')) : s.lease(k, o, t)),
      release: (k, o) => s.release(k, o),
      claim: (k, t) => s.claim(k, t),
      holder: (k) => s.holder(k),
    };
    const changes: string[] = [];
    const errors: string[] = [];
    const a = new Leases({ backend, owner: 'a', clock, onChange: (k, l) => changes.push(`${k}:${l}`), onError: (m) => errors.push(m) });
    try {
      (await a.acquire('k', 30_000)).should.be.true();
      // No renewal ran (the fake clock only moves when told): 90% of the lease later it stops.
      clock.timers.setSystemTime(clock.now() + 26_999);
      a.isLeader('k').should.be.true();
      clock.timers.setSystemTime(clock.now() + 2);
      a.isLeader('k').should.be.false();
      // A renewal that fails drops the lease at once.
      (await a.acquire('k', 30_000)).should.be.true();
      failing = true;
      await clock.timers.tickAsync(10_000); // the renewal timer (a third of the lease)
      a.isLeader('k').should.be.false();
      changes.should.eql(['k:true', 'k:false']);
      errors.should.eql(['connection lost']);
      clock.timers.countTimers().should.equal(0);
    } finally {
      failing = false;
      await a.close();
    }
  });

  it('claims: the first caller wins, every later one within the time to live loses', async () => {
    const s = await store();
    const results = await Promise.all(['a', 'b', 'c'].map((owner) => new Leases({ backend: s, owner }).claim('alert:1', 60_000)));
    results.filter(Boolean).should.have.length(1);
    (await new Leases({ backend: s, owner: 'd' }).claim('alert:2', 60_000)).should.be.true();
  });
});
