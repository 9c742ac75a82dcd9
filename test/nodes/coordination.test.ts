import 'should';
import type { NodeAPI } from 'node-red';
import { coordination, parseLeaseSeconds, parseStoreName } from '../../nodes/node-support/coordination';
import { redisContextStore } from '../../nodes/lib/state/redis-context-store';
import { startRedis, type RedisServer } from '../support/redis';

/** Only what coordination() reads of the node API: the settings. */
const red = (contextStorage: Record<string, unknown> | undefined): NodeAPI => ({ settings: { contextStorage } }) as unknown as NodeAPI;

describe('node-support/coordination: which store is shared', function () {
  this.timeout(20_000);
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.stop());

  it('without a store, or with a store that is not shared, every answer is yes and nothing is kept', async () => {
    for (const c of [coordination(red(undefined), undefined), coordination(red({ file: { module: 'localfilesystem' } }), 'file'), coordination(red({}), 'nosuch')]) {
      c.shared.should.be.false();
      (await c.acquire('poll:x', 1000)).should.be.true();
      c.isLeader('poll:x').should.be.true();
      (await c.claim('alert:x', 1000)).should.be.true();
      (await c.claim('alert:x', 1000)).should.be.true();
      await c.close();
    }
  });

  it('a Redis context store of this package, named directly or through the default alias, is shared', async () => {
    const config = { url: redis.url, prefix: 'coord' };
    const store = redisContextStore(config);
    await store.open();
    try {
      const settings = { default: 'shared', shared: { module: redisContextStore, config } };
      const one = coordination(red(settings), 'shared');
      const two = coordination(red(settings), 'default');
      one.shared.should.be.true();
      two.shared.should.be.true();
      // One process, so one owner: the second object sees the lease as its own, as nodes of one
      // instance would. Claims stay once-only.
      (await one.acquire('poll:n1', 5000)).should.be.true();
      (await one.claim('alert:n1:a', 5000)).should.be.true();
      (await two.claim('alert:n1:a', 5000)).should.be.false();
      await one.close();
      (await store.holder('poll:n1') === null).should.be.true();
      await two.close();
    } finally {
      await store.close();
    }
  });

  it('checks the store and lease properties, naming the property', () => {
    (parseStoreName('  ') === undefined).should.be.true();
    parseStoreName(' shared ')!.should.equal('shared');
    (() => parseStoreName('no spaces')).should.throw(/store.*context store from settings\.js/);
    parseLeaseSeconds('').should.equal(30);
    parseLeaseSeconds('2.5').should.equal(2.5);
    (() => parseLeaseSeconds('0')).should.throw(/lease.*0\.1 to 3600/);
    (() => parseLeaseSeconds('x')).should.throw(/lease/);
  });
});
