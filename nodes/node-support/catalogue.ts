import type { NodeAPI } from 'node-red';

/**
 * Texts of one node type's catalogue; RED._ returns the key itself when a catalogue is missing
 * (e.g. a node loaded from source in tests), and then the English fallback is used.
 */
export function catalogue(RED: NodeAPI, type: string): (key: string, vars: Record<string, string | number>, fallback: string) => string {
  return (key, vars, fallback) => {
    const s = RED._(`${type}.${key}`, vars);
    return s && s !== `${type}.${key}` ? s : fallback;
  };
}
