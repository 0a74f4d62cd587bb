/**
 * pino JSON logs. Credentials are redacted by path wherever they could appear, as a second
 * line of defence: no code path logs a token on purpose. A client can still put a PAT where
 * nothing expects one (`DELETE /api/v1/tokens/<the token itself>`), and pino's `redact` matches
 * paths, not values; so every finished line is also scanned for the published PAT pattern
 * (pat/format.ts, the README's secret-scanning regex). The line is the one place that holds
 * every message, field, serialised error and child binding; PAT characters never need JSON
 * escaping, so a replacement keeps the line valid JSON.
 */
import { type DestinationStream, pino } from 'pino';
import { patScannerRegex } from './pat/format.js';

export type Logger = pino.Logger;

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'subject_token',
  '*.subject_token',
  'tokens',
  '*.tokens',
  'client_secret',
  // Body readers attach the raw request body to their errors.
  'err.body',
  '*.client_secret',
];

const CENSOR = '[redacted]';

export interface LoggerOptions {
  /** `tokens.prefix`: PATs with it are removed from every line. Default `tsr`. */
  patPrefix?: string;
}

/** Writes each line with anything shaped like a PAT replaced; a cheap substring test first. */
function redactingStream(destination: DestinationStream, prefix: string): DestinationStream {
  const marker = `${prefix}_`;
  const pattern = patScannerRegex(prefix);
  return {
    write: (line: string) => destination.write(line.includes(marker) ? line.replace(pattern, CENSOR) : line),
  };
}

export function createLogger(
  level: string,
  destination?: DestinationStream,
  options: LoggerOptions = {},
): Logger {
  const sink = redactingStream(destination ?? pino.destination(1), options.patPrefix ?? 'tsr');
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: CENSOR }, base: { service: 'tessera' } },
    sink,
  );
}
