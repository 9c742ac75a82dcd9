/**
 * The parsed form of a filter expression. Both the compiler and the reference evaluator read
 * it. Every `negate: true` / `op: '!='` node means exactly "not (the same test with =)": a
 * record with a missing field matches `app != x` and does not match `app = x`.
 */
import type { CidrRange } from '../ip';

export type Side = 'src' | 'dst' | 'any';
export type CmpOp = '=' | '!=' | '>' | '>=' | '<' | '<=';
export type OrderOp = '>' | '>=' | '<' | '<=';
export type TextField = 'app' | 'category' | 'region' | 'vendor' | 'direction';
export type Metric = 'bytes' | 'packets' | 'pps' | 'bps' | 'duration' | 'flows';
/** Endpoint fields set by network-flow-enrich (docs/filter-language.md#enriched-fields-country-as-asorg-name-site-tag-hostname). */
export type EndpointTextField = 'country' | 'asOrg' | 'name' | 'site' | 'tags' | 'hostname';

export type Expr =
  | { type: 'any' }
  | { type: 'and'; items: Expr[] }
  | { type: 'or'; items: Expr[] }
  | { type: 'not'; expr: Expr }
  /** `ip`, `host`, `net`, `ip in [...]`: the side's address falls in one of the ranges. */
  | { type: 'ip'; side: Side; negate: boolean; ranges: CidrRange[] }
  /** `port 80`, `port 1024-65535`, `port in [...]`: inclusive [lo, hi] pairs. */
  | { type: 'port'; side: Side; negate: boolean; ranges: Array<[number, number]> }
  /** `port > 1023` */
  | { type: 'portCmp'; side: Side; op: OrderOp; value: number }
  | { type: 'proto'; negate: boolean; numbers: number[] }
  /** Lowercase patterns, `*` a wildcard; matched case-insensitively. */
  | { type: 'text'; field: TextField; negate: boolean; patterns: string[] }
  | { type: 'blocked'; value: boolean; negate: boolean }
  /** `src country CN`, `dst asorg "Google*"`, `tag kids`: lowercase patterns against the side's field (any tag for `tags`). */
  | { type: 'endpointText'; side: Side; field: EndpointTextField; negate: boolean; patterns: string[] }
  /** `src as 15169`, `as 64512-65534`: inclusive [lo, hi] pairs of AS numbers. */
  | { type: 'as'; side: Side; negate: boolean; ranges: Array<[number, number]> }
  /** `duration` values are milliseconds and compare `durationMs`. */
  | { type: 'metric'; metric: Metric; op: CmpOp; value: number }
  /** Any dotted record path; a string value is a (lowercase) pattern. */
  | { type: 'path'; path: string[]; op: CmpOp; value: number | string };

export const METRICS: readonly Metric[] = ['bytes', 'packets', 'pps', 'bps', 'duration', 'flows'];
export const TEXT_FIELDS: readonly TextField[] = ['app', 'category', 'region', 'vendor', 'direction'];

/** Filter keyword -> endpoint field of the enrich node's text terms. */
export const ENDPOINT_TEXT_TERMS: Readonly<Record<string, EndpointTextField>> = {
  country: 'country',
  asorg: 'asOrg',
  name: 'name',
  site: 'site',
  tag: 'tags',
  hostname: 'hostname',
};

/** The record property each metric reads (`bps` is computed, see values.ts `bpsOf`). */
export const METRIC_FIELD: Readonly<Record<Exclude<Metric, 'bps'>, string>> = {
  bytes: 'bytes',
  packets: 'packets',
  pps: 'pps',
  duration: 'durationMs',
  flows: 'flows',
};
