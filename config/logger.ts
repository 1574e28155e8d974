import pino, { type DestinationStream, type Logger } from 'pino';
import { maskCertNumbers } from '../answers/certNumber';

/** Longest error text a log line keeps: a remote server's error page can be any size. */
const MAX_ERROR_CHARS = 300;

/**
 * The process's logger. Logs never carry user text (`text` fields are redacted) and error texts, which may quote a
 * remote response or an input, are cut short and have certificate-number-like runs masked.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: ['text', '*.text'],
    serializers: {
      err: (err: unknown) => (typeof err === 'string' ? maskCertNumbers(err.slice(0, 2 * MAX_ERROR_CHARS)).slice(0, MAX_ERROR_CHARS) : pino.stdSerializers.err(err as Error)),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
