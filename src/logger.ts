import type { Logger } from './pipeline/ports.ts';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

/** One `key=value` pair; values with spaces, quotes or `=` are JSON-quoted so the line stays parseable. */
function field(k: string, v: unknown): string {
  const text = typeof v === 'string' ? v : v instanceof Error ? v.message : JSON.stringify(v);
  return ` ${k}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
}

function formatFields(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  let out = '';
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out += field(k, v);
  return out;
}

/** One line per event on stderr: `time level message key=value…`; readable by people and by log shippers. */
export function createLogger(
  level: Level = 'info',
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Logger {
  const min = LEVELS[level];
  const log = (lvl: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < min) return;
    write(`${new Date().toISOString()} ${lvl.padEnd(5)} ${msg}${formatFields(fields)}`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
