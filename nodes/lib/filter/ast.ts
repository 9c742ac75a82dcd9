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
  /** `duration` values are milliseconds and compare `durationMs`. */
  | { type: 'metric'; metric: Metric; op: CmpOp; value: number }
  /** Any dotted record path; a string value is a (lowercase) pattern. */
  | { type: 'path'; path: string[]; op: CmpOp; value: number | string };

export const METRICS: readonly Metric[] = ['bytes', 'packets', 'pps', 'bps', 'duration', 'flows'];
export const TEXT_FIELDS: readonly TextField[] = ['app', 'category', 'region', 'vendor', 'direction'];

/** The record property each metric reads (`bps` is computed, see values.ts `bpsOf`). */
export const METRIC_FIELD: Readonly<Record<Exclude<Metric, 'bps'>, string>> = {
  bytes: 'bytes',
  packets: 'packets',
  pps: 'pps',
  duration: 'durationMs',
  flows: 'flows',
};
