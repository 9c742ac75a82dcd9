import { buildStatsRequest } from '../nodes/lib/vendors/riverbed-flowgateway';
import { parseEnrichOptions } from '../nodes/lib/enrich';
for (const p of [{ template: 'B', statsType: 'flows_per_minute', startTime: 'yesterday', endTime: '' }, { template: 'B', statsType: 'flows_per_minute', startTime: '', endTime: '' }, { template: 'B', statsType: 'flows_per_minute', startTime: '2000-01-01T00:00:00Z', endTime: '2100-01-01T00:00:00Z' }, { template: 'C', statsType: 'flows_per_minute', startTime: '2000-01-01T00:00:00Z', endTime: '2100-01-01T00:00:00Z' }]) {
  try { buildStatsRequest(p as never); console.log('ok', p); } catch (e) { console.log((e as Error).message); }
}
for (const d of ['dns.example', '127.0.0.1:5353']) {
  try { console.log(parseEnrichOptions({ reverseDns: true, dnsServers: d } as never).dnsServers); } catch (e) { console.log((e as Error).message); }
}
