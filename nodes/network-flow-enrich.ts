/**
 * `network-flow-enrich`: the Node-RED adapter of the enrich engine (nodes/lib/enrich,
 * docs/enrich.md). Records in `msg.payload` (one or an array) get country, AS, local names and
 * optionally reverse-DNS names on both sides, in place; the message goes on once any reverse
 * lookups it needed have answered or timed out. Databases and the name table load at deploy
 * (messages arriving meanwhile wait), are re-read when their files change, and are released on
 * close together with the file checks and every DNS query in flight.
 */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { BadInputError, FlowError } from './lib/errors';
import { Enricher, parseEnrichOptions, parseNameCsv, type EnrichOptionsInput } from './lib/enrich';
import { throttledStatus } from './node-support/status';
import { texts } from './node-support/texts';
import { fail, reportError } from './node-support/report';
import { registerValidation } from './node-support/validation';

type EnrichNodeDef = NodeDef & { [K in keyof EnrichOptionsInput]?: unknown };
type Done = (err?: Error) => void;

const T = 'network-flow-enrich';
const STATUS_EVERY_MS = 1000;

export = function register(RED: NodeAPI): void {
  const t = texts(RED, T);
  function EnrichNode(this: Node, config: EnrichNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    let engine: Enricher | undefined;
    let failed: FlowError | undefined;
    let closed = false;

    const ready = (label: string): void => {
      node.status({ fill: engine?.missingDatabase ? 'red' : 'green', shape: engine?.missingDatabase ? 'ring' : 'dot', text: label });
    };
    const status = throttledStatus<{ records: number }>(node, ({ records }) => ({
      fill: engine?.missingDatabase ? 'red' : 'green',
      shape: engine?.missingDatabase ? 'ring' : 'dot',
      text: t('status.records', { records }),
    }), STATUS_EVERY_MS);

    node.status({ fill: 'yellow', shape: 'ring', text: t('status.loading') });
    const loading = Enricher.create({
      geo: config.geo, countryFile: config.countryFile, asnFile: config.asnFile, names: config.names, namesFile: config.namesFile,
      reverseDns: config.reverseDns, dnsServers: config.dnsServers, dnsTimeout: config.dnsTimeout, dnsInFlight: config.dnsInFlight,
      dnsTtl: config.dnsTtl, dnsCacheSize: config.dnsCacheSize, reload: config.reload, cacheSize: config.cacheSize,
    }).then(
      (e) => {
        if (closed) return e.close();
        engine = e;
        const d = e.describe();
        if (e.missingDatabase) {
          reportError(node, e.missingDatabase);
          ready(t('status.noDatabase', { names: d.names }));
        } else ready(t('status.ready', { databases: d.databases.length, names: d.names }));
        e.watch((r) => {
          for (const file of r.reloaded) node.log(t('log.reloaded', { file }));
          for (const err of r.errors) node.warn(`${t('errors.reload')} ${err.message}`);
          if (r.errors.length > 0) node.status({ fill: 'yellow', shape: 'dot', text: t('status.reloadFailed') });
        });
      },
      (err: unknown) => {
        failed = err instanceof FlowError ? err : new BadInputError('config', String(err));
        reportError(node, failed);
        node.status({ fill: 'red', shape: 'ring', text: t('status.config', { field: failed.field ?? '' }) });
      },
    );

    let records = 0;
    node.on('input', (msg: NodeMessageInFlow, send: (m: NodeMessageInFlow) => void, done: Done) => {
      void loading.then(() => {
        if (closed) return done();
        if (!engine) return done(failed);
        const payload = msg.payload;
        const batch = Array.isArray(payload) ? payload : typeof payload === 'object' && payload !== null ? [payload] : undefined;
        if (!batch) {
          return fail(node, msg, done, new BadInputError('payload', `expected a NetworkFlow record or an array of records, got ${payload === null ? 'null' : typeof payload}`));
        }
        const skippedBefore = engine.stats().skipped;
        const finish = (): void => {
          if (closed) return done();
          const skipped = engine!.stats().skipped - skippedBefore;
          if (skipped > 0) node.warn(t('errors.badRecords', { count: skipped }));
          records += batch.length - skipped;
          status.update({ records });
          send(msg);
          done();
        };
        const pending = engine.enrich(batch);
        if (pending) pending.then(finish, (err: unknown) => done(err instanceof Error ? err : new Error(String(err))));
        else finish();
      });
    });

    node.on('close', (done: () => void) => {
      closed = true;
      status.close();
      engine?.close();
      engine = undefined;
      done();
    });
  }

  RED.nodes.registerType(T, EnrichNode);
  // Files are read at deploy; the editor's check covers the settings and the dialog's name table.
  registerValidation(RED, T, (props) => {
    const options = parseEnrichOptions(props);
    parseNameCsv(options.names, 'names');
  }, { countryFile: 'country.mmdb' });
};
