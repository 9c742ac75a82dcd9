/**
 * The filter dialog's rule builder on the runtime's own grammar (nodes/lib/filter/rules.ts):
 * `GET /network-flows/filter-rules` lists the rows it offers, `POST` with `{expression}` reads an
 * expression back into rules (or says it is too complex), with `{join, rules}` writes the
 * expression. The browser keeps no copy of the grammar.
 */
import type { NodeAPI } from 'node-red';
import { FlowError } from '../lib/errors';
import { RULE_FIELDS, expressionToRules, rulesToExpression, type RuleSet } from '../lib/filter/rules';

const T = 'network-flow-filter';

export function registerRuleBuilder(RED: NodeAPI): void {
  RED.httpAdmin.get('/network-flows/filter-rules', RED.auth.needsPermission(`${T}.read`), (_req, res) => {
    res.json({ fields: RULE_FIELDS });
  });
  RED.httpAdmin.post('/network-flows/filter-rules', RED.auth.needsPermission(`${T}.read`), (req, res) => {
    const body = (req.body ?? {}) as { expression?: unknown; rules?: unknown; join?: unknown };
    if (typeof body.expression === 'string') {
      res.json(expressionToRules(body.expression));
      return;
    }
    if (!Array.isArray(body.rules)) {
      res.status(400).json({ ok: false, message: 'expected {expression} or {join, rules}' });
      return;
    }
    try {
      res.json({ ok: true, expression: rulesToExpression({ join: body.join, rules: body.rules as unknown[] } as RuleSet) });
    } catch (err) {
      if (!(err instanceof FlowError)) throw err;
      res.json({ ok: false, message: err.message });
    }
  });
}
