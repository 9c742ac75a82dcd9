import 'should';
import { HyperLogLog } from '../../../nodes/lib/sketch/hyperloglog';
import { BadInputError } from '../../../nodes/lib/errors';

describe('HyperLogLog', () => {
  it('counts small sets nearly exactly and large ones within three standard errors', () => {
    const h = new HyperLogLog(14);
    for (let i = 0; i < 100; i++) h.add(`v${i}`);
    h.count().should.be.within(99, 101);
    for (let i = 0; i < 200_000; i++) h.add(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    // standard error 1.04 / sqrt(16384) = 0.81 %
    h.count().should.be.within(200_100 * (1 - 0.025), 200_100 * (1 + 0.025));
  });

  it('ignores repeats, merges as a union and round-trips through JSON', () => {
    const a = new HyperLogLog(10);
    const b = new HyperLogLog(10);
    for (let i = 0; i < 5000; i++) a.add(`k${i}`);
    for (let i = 0; i < 5000; i++) a.add(`k${i}`);
    for (let i = 2500; i < 7500; i++) b.add(`k${i}`);
    const ca = a.count();
    ca.should.be.within(5000 * 0.9, 5000 * 1.1);
    a.merge(b);
    a.count().should.be.within(7500 * 0.9, 7500 * 1.1);
    HyperLogLog.fromJSON(JSON.parse(JSON.stringify(a))).count().should.equal(a.count());
    (() => a.merge(new HyperLogLog(12))).should.throw(BadInputError);
    (() => new HyperLogLog(3)).should.throw(/precision|out of range/);
  });
});
