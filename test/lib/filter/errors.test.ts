import 'should';
import { FlowError } from '../../../nodes/lib/errors';
import { compileFilter, FilterSyntaxError, validateExpression } from '../../../nodes/lib/filter';

/** The message validateExpression gives (no field prefix). */
function problem(text: string): string {
  const v = validateExpression(text);
  if (v.ok) throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
  return v.message;
}

describe('lib/filter errors', () => {
  it('a FilterSyntaxError is a FlowError with code BAD_INPUT, the field, line and column', () => {
    let caught: unknown;
    try {
      compileFilter('proto tcp and dst port https');
    } catch (err) {
      caught = err;
    }
    caught!.should.be.instanceOf(FilterSyntaxError);
    caught!.should.be.instanceOf(FlowError);
    const e = caught as FilterSyntaxError;
    e.code.should.equal('BAD_INPUT');
    e.field!.should.equal('expression');
    e.column.should.equal(24);
    e.line.should.equal(1);
    e.message.should.equal('expression: column 24: expected a port number or range after "port", found "https"');
    e.toJSON().should.match({ code: 'BAD_INPUT', field: 'expression' });
  });

  it('names another field when asked (msg.filter)', () => {
    (() => compileFilter('app', 'filter')).should.throw({ field: 'filter', message: 'filter: column 4: expected a value after "app", found end of expression' });
  });

  it('validateExpression returns ok, or line, column and message', () => {
    validateExpression('src net 10.0.0.0/8').should.eql({ ok: true });
    validateExpression('app x and port https').should.eql({
      ok: false,
      line: 1,
      column: 16,
      message: 'column 16: expected a port number or range after "port", found "https"',
    });
    validateExpression('app x # fine\nand\nport 99999').should.eql({
      ok: false,
      line: 3,
      column: 6,
      message: 'line 3, column 6: expected a port number or range after "port", found "99999"',
    });
    validateExpression(42).should.match({ ok: false, column: 1 });
  });

  const cases: Array<[string, string]> = [
    // structure
    ['and app x', 'column 1: expected a filter term, found "and"'],
    ['app x and', 'column 10: expected a filter term after "and", found end of expression'],
    ['app x or or app y', 'column 10: expected a filter term after "or", found "or"'],
    ['app x app y', 'column 7: expected "and", "or" or end of expression after "x", found "app"'],
    ['(app x', 'column 7: expected "and", "or" or ")" after "x", found end of expression'],
    ['(app x port 80)', 'column 8: expected "and", "or" or ")" after "x", found "port"'],
    ['app x)', 'column 6: expected "and", "or" or end of expression after "x", found ")"'],
    ['()', 'column 2: expected a filter term after "(", found ")"'],
    ['not', 'column 4: expected a filter term after "not", found end of expression'],
    ['app x & app y', 'column 7: expected "and", "or" or end of expression after "x", found "&"'],
    ['app x | app y', 'column 7: expected "and", "or" or end of expression after "x", found "|"'],
    ['> 5', 'column 1: expected a filter term, found ">"'],
    ['in [1]', 'column 1: expected a filter term, found "in"'],
    ['prot tcp', 'column 1: expected a filter term, found "prot"'],
    ['9lives = 3', 'column 1: expected a filter term, found "9lives"'],
    // qualifiers and addresses
    ['src foo 1.2.3.4', 'column 5: expected "ip", "net", "port", "host", "country", "as", "asorg", "name", "site", "tag" or "hostname" after "src", found "foo"'],
    ['dst', 'column 4: expected "ip", "net", "port", "host", "country", "as", "asorg", "name", "site", "tag" or "hostname" after "dst", found end of expression'],
    ['ip 10.0.0.256', 'column 4: expected an IP address or CIDR after "ip", found "10.0.0.256"'],
    ['src host 010.1.2.3', 'column 10: expected an IP address or CIDR after "host", found "010.1.2.3"'],
    ['ip > 10.0.0.1', 'column 4: expected an IP address or CIDR after "ip", found ">"'],
    ['net 10.0.0.0/33', 'column 5: expected a network in CIDR notation (such as 10.0.0.0/8) after "net", found "10.0.0.0/33"'],
    ['net 2001:db8::/129', 'column 5: expected a network in CIDR notation (such as 10.0.0.0/8) after "net", found "2001:db8::/129"'],
    ['ip in 10.0.0.0/8', 'column 7: expected "[" after "in", found "10.0.0.0/8"'],
    ['ip in [10.0.0.0/8 192.168.0.0/16]', 'column 19: expected "," or "]" after "10.0.0.0/8", found "192.168.0.0/16"'],
    ['ip in []', 'column 8: expected an IP address or CIDR after "[", found "]"'],
    ['ip in [10.0.0.0/8,]', 'column 19: expected an IP address or CIDR after ",", found "]"'],
    ['ip in [10.0.0.0/8', 'column 18: expected "," or "]" after "10.0.0.0/8", found end of expression'],
    // ports
    ['proto tcp and dst port https', 'column 24: expected a port number or range after "port", found "https"'],
    ['port 65536', 'column 6: expected a port number or range after "port", found "65536"'],
    ['port 9000-80', 'column 6: expected a port number or range after "port", found "9000-80"'],
    ['port 80-', 'column 6: expected a port number or range after "port", found "80-"'],
    ['port -1', 'column 6: expected a port number or range after "port", found "-1"'],
    ['port > 1000-2000', 'column 8: expected a port number or range after ">", found "1000-2000"'],
    ['port "80"', 'column 6: expected a port number or range after "port", found "\\"80\\""'],
    ['port in [80, https]', 'column 14: expected a port number or range after ",", found "https"'],
    // protocol, text, blocked
    ['proto tcpp', 'column 7: expected a protocol name or number after "proto", found "tcpp"'],
    ['proto 256', 'column 7: expected a protocol name or number after "proto", found "256"'],
    ['proto > 5', 'column 7: expected a protocol name or number after "proto", found ">"'],
    ['app', 'column 4: expected a value after "app", found end of expression'],
    ['app and port 80', 'column 5: expected a value after "app", found "and"'],
    ['category video,', 'column 16: expected a value after ",", found end of expression'],
    ['region >= us', 'column 8: expected a value after "region", found ">="'],
    ['direction outbond', 'column 11: expected inbound, outbound, internal, external or unknown after "direction", found "outbond"'],
    ['blocked = yes', 'column 11: expected true or false after "=", found "yes"'],
    ['blocked > 1', 'column 9: expected "=", "!=", "and", "or" or end of expression after "blocked", found ">"'],
    // metrics
    ['bytes > lots', 'column 9: expected a number with an optional unit (K, M, G, T, KiB, MiB, GiB, TiB) after ">", found "lots"'],
    ['bytes > 5X', 'column 9: expected a number with an optional unit (K, M, G, T, KiB, MiB, GiB, TiB) after ">", found "5X"'],
    ['packets >', 'column 10: expected a number with an optional unit (K, M, G, T, KiB, MiB, GiB, TiB) after ">", found end of expression'],
    ['duration > 5MB', 'column 12: expected a duration (such as 500ms, 30s, 5m or 1h) after ">", found "5MB"'],
    ['bps > fast', 'column 7: expected a rate in bits per second (such as 10M or 10Mbps) after ">", found "fast"'],
    ['bytes >> 5', 'column 8: expected a number with an optional unit (K, M, G, T, KiB, MiB, GiB, TiB) after ">", found ">"'],
    // paths and lexing
    ['raw.vpathclass 2', 'column 16: expected a comparison operator (=, ==, !=, >, >=, <, <=) after "raw.vpathclass", found "2"'],
    ['raw.x =', 'column 8: expected a value after "=", found end of expression'],
    ['raw.x = or', 'column 9: expected a value after "=", found "or"'],
    ['raw.x === 1', 'column 9: expected a value after "==", found "="'],
    ['app "video', 'column 5: expected a closing " for the string that starts here, found end of expression'],
    ["app 'video", "column 5: expected a closing ' for the string that starts here, found end of expression"],
  ];

  for (const [text, message] of cases) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      problem(text).should.equal(message);
    });
  }

  it('refuses parentheses nested deeper than 64, and never overflows the stack', () => {
    validateExpression(`${'('.repeat(64)}any${')'.repeat(64)}`).should.eql({ ok: true });
    problem(`${'('.repeat(5000)}any${')'.repeat(5000)}`).should.equal(
      'column 65: expected a filter term (parentheses nest at most 64 deep) after "(", found "("',
    );
    // Runs of not fold (an even number cancels), so they cannot nest; a run is as long as
    // parentheses may nest, so 65,000 of them are refused at the 65th, not read to the end.
    compileFilter(`${'not '.repeat(63)}any`)({}).should.be.false();
    compileFilter(`${'! '.repeat(64)}any`)({}).should.be.true();
    problem(`${'not '.repeat(20001)}any`).should.equal(
      'column 257: expected a filter term ("not" and "!" repeat at most 64 times in a row) after "not", found "not"',
    );
    problem(`${'! '.repeat(20000)}any`).should.match(/^column 129: .*repeat at most 64 times in a row/);
    // Long flat chains are fine.
    compileFilter(Array.from({ length: 5000 }, (_, i) => `app a${i}`).join(' or '))({ app: 'A4999' }).should.be.true();
  });

  it('long tokens are shortened in messages', () => {
    problem(`proto ${'x'.repeat(100)}`).should.match(/found "x{39}…"$/);
  });
});
