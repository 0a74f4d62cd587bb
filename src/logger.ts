/**
 * pino JSON logs. Credentials are redacted by path wherever they could appear, as a second
 * line of defence: no code path logs a token on purpose.
 */
import { type DestinationStream, pino } from 'pino';

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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'tessera' } },
    destination,
  );
}
