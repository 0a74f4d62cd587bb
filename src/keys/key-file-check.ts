/**
 * What a key file must be before its key is used: a private JWK record of the right shape
 * (zod), readable by its owner only, in a directory only its owner can enter, as ssh refuses
 * an unprotected private key. A bad file is named in the error, so an operator fixes the right
 * one; loose modes may be downgraded to warnings with `signing.allowLoosePermissions`.
 */
import type { Stats } from 'node:fs';
import { z } from 'zod';
import { formatIssuePath } from '../config.js';
import { SIGNING_ALGS } from './algorithms.js';

const isoTime = z.iso.datetime({ offset: true });

export const keyRecordSchema = z.object({
  kid: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
  alg: z.enum(SIGNING_ALGS),
  state: z.enum(['next', 'current', 'retired']),
  created_at: isoTime,
  activated_at: isoTime.optional(),
  retired_at: isoTime.optional(),
  // A private key: `d` is what signs. Other members depend on `kty` and are checked by jose.
  jwk: z.looseObject({ kty: z.enum(['EC', 'OKP', 'RSA']), d: z.string().min(1), kid: z.string().optional() }),
});

/** Parses a key file's text; the error names the file and, for a bad field, its path. */
export function parseKeyRecord(path: string, text: string): z.infer<typeof keyRecordSchema> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`key file ${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = keyRecordSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map(
      (issue) => `${formatIssuePath(issue.path) || '(file)'}: ${issue.message}`,
    );
    throw new Error(`key file ${path}: ${fields.join('; ')}`);
  }
  if (parsed.data.jwk.kid !== undefined && parsed.data.jwk.kid !== parsed.data.kid) {
    throw new Error(`key file ${path}: jwk.kid does not match kid`);
  }
  return parsed.data;
}

export interface PermissionPolicy {
  /** Warn instead of refusing group/world-accessible key files and directories. */
  allowLoosePermissions: boolean;
  /** Where warnings go when loose permissions are allowed. */
  warnings: string[];
}

/** Refuses (or records a warning for) a key file or keys directory others can access. */
export function checkPermissions(path: string, stats: Stats, policy: PermissionPolicy): void {
  if (process.platform === 'win32' || (stats.mode & 0o077) === 0) return;
  const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
  const fix = stats.isDirectory() ? `chmod 700 ${path}` : `chmod 600 ${path}`;
  const what = stats.isDirectory() ? 'keys directory' : 'key file';
  const message = `${what} ${path} is accessible by group or others (mode ${mode}): ${fix}`;
  if (!policy.allowLoosePermissions) throw new Error(`${message}, or set signing.allowLoosePermissions`);
  policy.warnings.push(message);
}
