/**
 * The config dialog's "Test connection": asks the device which methods it supports
 * (`auth_info`, no credentials needed), authenticates with the chosen one, fetches the last
 * minute of stats, and logs out again. The answer names methods and counts, never a credential.
 */
import { AuthError } from '../../errors';
import { DEVICE_METHOD_NAMES, FlowGatewayClient, type FlowGatewayClientOptions } from './client';

export async function testConnection(opts: FlowGatewayClientOptions): Promise<string> {
  const client = new FlowGatewayClient({ ...opts, retry: { maxRetries: 0 } });
  try {
    const info = await client.authInfo();
    const supported = info.supported_methods;
    const wanted = DEVICE_METHOD_NAMES[client.authMethod];
    if (supported.length > 0 && !supported.includes(wanted)) {
      throw new AuthError(`the device supports ${supported.join(', ')}, not ${wanted} (authMethod "${client.authMethod}")`);
    }
    await client.authenticate();
    const stats = await client.importStats([
      { stats_type: 'flows_per_minute', interval_type: 'minutes', time_interval: 1, source_ip: '' },
    ]);
    const how = { basic: 'Basic authentication', session: 'a session login', oauth: 'an OAuth 2.0 token' }[client.authMethod];
    return `Connected to ${client.host} with ${how}; the device supports ${supported.join(', ') || 'no listed methods'}; import_stats answered ${stats.records.length} record(s) for the last minute.`;
  } finally {
    await client.close();
  }
}
