import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../src/logger.js';
import { generatePat } from '../../../src/pat/format.js';

function capture(prefix?: string) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger('debug', sink, prefix === undefined ? {} : { patPrefix: prefix }) };
}

describe('createLogger redacts PATs by value', () => {
  it('in messages, fields, nested objects, errors and child bindings', () => {
    const { lines, logger } = capture();
    const token = generatePat('tsr');
    logger.info({ path: `/api/v1/tokens/${token}` }, `revoking ${token}`);
    logger.warn({ deep: { url: `https://x.example/?t=${token}`, list: [token] } }, 'nested');
    logger.error({ err: new Error(`could not parse ${token}`) }, 'failed');
    logger.child({ pat: token }).info('bound');
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).not.toContain(token);
      expect(() => JSON.parse(line)).not.toThrow();
    }
    expect(JSON.parse(lines[0] as string).path).toBe('/api/v1/tokens/[redacted]');
  });

  it('uses the configured prefix, and leaves other text alone', () => {
    const { lines, logger } = capture('acme');
    const token = generatePat('acme');
    logger.info({ a: token, b: 'tsr_short', c: 'plain text' }, 'm');
    const line = JSON.parse(lines[0] as string);
    expect(line).toMatchObject({ a: '[redacted]', b: 'tsr_short', c: 'plain text' });
  });
});
