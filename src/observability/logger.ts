/**
 * The root pino logger. Every other logger is a child of it, so that redaction and the level are
 * configured in one place. Records are JSON on stdout; the merge object comes first and the message
 * is a short fixed phrase, with variable parts in fields.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** Paths that never reach a log record, whatever a caller passes in. */
const REDACTED_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
];

/** Creates the root logger at the given level, writing JSON to stdout. */
export function createRootLogger(level: LevelWithSilent): Logger {
  return pino({
    level,
    name: 'metadata-operator',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
