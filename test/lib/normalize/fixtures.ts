/**
 * Example records copied verbatim from the vendors' published documents (sources in
 * docs/vendors/firewalla.md#sources and docs/vendors/riverbed-flowgateway.md#sources): the
 * Firewalla MSP `GET /v2/flows` response example and the FlowGateway `import_stats` response
 * example (the same two rows in templates A, B and C). The Citrix SD-WAN flows and ilbflows
 * pages (docs/vendors/citrix-sdwan.md#sources) document every field (all strings) but give no
 * example record, so `SDWAN_FLOW` and `SDWAN_ILBFLOW` carry every documented field with values
 * of the documented kinds.
 */

/** Firewalla's Get Flows response example, `results[0]`, as the document prints it. */
export const FIREWALLA_RESPONSE_TEXT = `{
  "count": 1,
  "results": [
    {
      "ts": 1647550615.011,
      "gid": "00000000-1234-1234-aaaa-000000000000",
      "protocol": "tcp",
      "direction": "outbound",
      "block": false,
      "download": 1000,
      "upload": 500,
      "duration": 0.77,
      "category":"shopping",
      "count": 1,
      "region":"CN",
      "device": {
        "id": "AA:BB:CC:DD:EE:FF",
        "ip": "192.168.210.110",
        "name": "My Iphone",
        "port": "55664"
      },
      "network": {
          "id": "99285a11-aaaa-bbbb-cccc-510596edaaaa",
          "name": "Home Office"
        },
      "group": {
          "id": "2",
          "name": "Mobile"
        },
      "source": {
        "id": "AA:BB:CC:DD:EE:FF",
        "ip": "192.168.210.110",
        "name": "My Iphone"
      },
      "destination":{
        "id": "firewalla.com",
        "ip": "23.227.38.32",
        "name": "firewalla.com"
      }
    }
  ],
  "next_cursor": null
}`;

/** FlowGateway's import_stats response example (identical in templates A, B and C). */
export const FLOWGATEWAY_RESPONSE_TEXT = `[
  {
    "time": "2024-01-08 22:11:00+00:00", 
    "source_ip": "10.x.x.x", 
    "n_flows": 154, 
    "n_bytes": 8448, 
    "n_bad_bytes": 0, 
    "n_packets": 20, 
    "n_bad_packets": 0, 
    "peak_n_flows": "60", 
    "peak_n_bytes": "3088", 
    "peak_n_packets": "4"
  }, 
  {
    "time": "2024-01-08 22:11:00+00:00", 
    "source_ip": "10.x.x.x", 
    "n_flows": 23677, 
    "n_bytes": 1179508, 
    "n_bad_bytes": 0, 
    "n_packets": 827, 
    "n_bad_packets": 0, 
    "peak_n_flows": "1508", 
    "peak_n_bytes": "75088", 
    "peak_n_packets": "52"
  }
]`;

export type Rec = Record<string, unknown>;

export function firewallaSeed(): Rec {
  return (JSON.parse(FIREWALLA_RESPONSE_TEXT) as { results: Rec[] }).results[0]!;
}

export function flowGatewaySeed(): Rec[] {
  return JSON.parse(FLOWGATEWAY_RESPONSE_TEXT) as Rec[];
}

/** Every documented flows field, all strings as NITRO sends them. */
export function sdwanFlow(): Record<string, string> {
  return {
    age: '65000',
    app_rule_id: '12',
    application: 'Office365',
    bytes: '1048576',
    class_type: 'interactive',
    customer_kbps: '128.5',
    dest_ip: '52.96.0.10',
    dest_port: '443',
    direction: 'LAN to WAN',
    hdr_compression_bytes: '2048',
    hitcount: '37',
    ip_dscp: 'af41',
    ipp: '6',
    ipsec_overhead_kbps: '3.25',
    lan_gw_ip: '10.10.0.1',
    packets: '900',
    path: 'DC-MPLS->Branch-MPLS',
    pps: '14',
    rule_id: '7',
    service_name: 'Internet',
    service_type: 'Internet',
    src_ip: '10.10.1.20',
    src_port: '50123',
    transmission_type: 'load balance',
    virtual_path_overhead_kbps: '0.75',
    vpathclass: '2',
  };
}

/** Every documented ilbflows field. */
export function sdwanIlbFlow(): Record<string, string> {
  return { age: '120000', flowcount: '17', lanip: '10.10.1.20', wanip: '203.0.113.9', wanlink: 'Branch-INET-1' };
}

export const FETCHED_AT = 1_704_751_860_000; // 2024-01-08T22:11:00Z
