/**
 * The documented fields of the SD-WAN records (docs/vendors/citrix-sdwan.md), in one place for
 * the wire schemas and the normalizer. No zod here: the normalizer's hot path imports it.
 */
/** Fields of a `flows` record. */
export const SDWAN_FLOW_FIELDS = [
  'age', 'app_rule_id', 'application', 'bytes', 'class_type', 'customer_kbps', 'dest_ip', 'dest_port',
  'direction', 'hdr_compression_bytes', 'hitcount', 'ip_dscp', 'ipp', 'ipsec_overhead_kbps', 'lan_gw_ip',
  'packets', 'path', 'pps', 'rule_id', 'service_name', 'service_type', 'src_ip', 'src_port',
  'transmission_type', 'virtual_path_overhead_kbps', 'vpathclass',
] as const;

/** Fields of an `ilbflows` record. */
export const SDWAN_ILB_FIELDS = ['age', 'flowcount', 'lanip', 'wanip', 'wanlink'] as const;
