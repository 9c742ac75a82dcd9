/**
 * The editor's one check of a node's properties: `POST /network-flows/validate` with
 * `{type, props}` runs the same parsers (zod schemas, the filter and query parsers) the runtime
 * runs at deploy, and answers `{ok, fields: {<property>: {message, line?, column?}}}` so the
 * dialog can say next to each field why it is refused. The browser holds no copy of a rule
 * (docs/design.md#editor-checks).
 */
import type { NodeAPI } from 'node-red';
import { FlowError } from '../lib/errors';

/** A node type's check: throws a FlowError naming the field (`BadInputError`) on the first problem. */
export type PropsCheck = (props: Record<string, unknown>) => void;

interface FieldReason {
  message: string;
  /** For expression and query fields: where the problem is (1-based). */
  line?: number;
  column?: number;
}

interface ValidationAnswer {
  ok: boolean;
  fields: Record<string, FieldReason>;
}

interface Registered {
  check: PropsCheck;
  /** Valid stand-ins for required properties, so the check can go on past a refused one. */
  standIns: Record<string, unknown>;
}

const checks = new Map<string, Registered>();
/** The admin apps the route is on (node tests start one per server). */
const routed = new WeakSet<object>();

/** Longest property text the route looks at; longer texts are refused before any parser runs. */
const MAX_PROP_TEXT = 65_536;
const MAX_PROPS = 64;

/**
 * Registers `type`'s check and, once per admin app, the route. `standIns` are valid values of
 * required properties (a refused `host` is replaced by one to check `timeout` too).
 */
export function registerValidation(RED: NodeAPI, type: string, check: PropsCheck, standIns: Record<string, unknown> = {}): void {
  checks.set(type, { check, standIns });
  const app = RED.httpAdmin as unknown as object;
  if (routed.has(app)) return;
  routed.add(app);
  RED.httpAdmin.post('/network-flows/validate', (req, res) => {
    const type = (req.body as { type?: unknown } | undefined)?.type;
    // Reading a node's settings needs the same permission as reading the node type.
    if (typeof type !== 'string' || !checks.has(type)) {
      res.status(400).json({ ok: false, fields: {}, message: 'expected {type, props} with a network-flows node type' });
      return;
    }
    RED.auth.needsPermission(`${type}.read`)(req, res, () => {
      const props = (req.body as { props?: unknown }).props;
      if (typeof props !== 'object' || props === null || Array.isArray(props)) {
        res.status(400).json({ ok: false, fields: {}, message: 'expected props as an object' });
        return;
      }
      res.json(validateProps(type, props as Record<string, unknown>));
    });
  });
}

/** The field of `props` a FlowError names (`request.limit` and `metrics.0` both name their property). */
function propertyOf(field: string | undefined, props: Record<string, unknown>): string {
  if (!field) return '';
  const parts = field.split('.');
  if (parts[0] === 'request' && parts.length > 1) parts.shift();
  return parts[0] !== undefined && Object.prototype.hasOwnProperty.call(props, parts[0]) ? parts[0] : field;
}

function reasonOf(err: FlowError): FieldReason {
  const prefix = err.field ? `${err.field}: ` : '';
  const message = prefix && err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  const where = err as FlowError & { line?: unknown; column?: unknown };
  const out: FieldReason = { message };
  if (typeof where.line === 'number') out.line = where.line;
  if (typeof where.column === 'number') out.column = where.column;
  return out;
}

/**
 * Every refused property of `props` with its reason: the check stops at its first problem, so a
 * refused property is put back to "not set" (the runtime's default), or to its stand-in when it
 * is required, and the check runs again, at most once per property.
 */
function validateProps(type: string, props: Record<string, unknown>): ValidationAnswer {
  const registered = checks.get(type);
  if (!registered) throw new Error(`no validation registered for ${type}`);
  const { check, standIns } = registered;
  const fields: Record<string, FieldReason> = {};
  const keys = Object.keys(props).slice(0, MAX_PROPS);
  const work: Record<string, unknown> = {};
  for (const k of keys) {
    const v = props[k];
    if (typeof v === 'string' && v.length > MAX_PROP_TEXT) fields[k] = { message: `expected at most ${MAX_PROP_TEXT} characters, got ${v.length}` };
    else work[k] = v;
  }
  for (let round = 0; round <= 2 * keys.length; round++) {
    try {
      check({ ...work });
      break;
    } catch (err) {
      if (!(err instanceof FlowError)) throw err;
      const key = propertyOf(err.field, work);
      if (fields[key] === undefined) {
        fields[key] = reasonOf(err);
        if (!Object.prototype.hasOwnProperty.call(work, key)) break;
        delete work[key];
      } else if (Object.prototype.hasOwnProperty.call(standIns, key) && work[key] !== standIns[key]) {
        work[key] = standIns[key];
      } else break;
    }
  }
  return { ok: Object.keys(fields).length === 0, fields };
}
