/**
 * The options `trust create` and `trust update` share, and the request bodies they make. Update
 * sends only the fields given (PATCH), so an option left out leaves that field as it is.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { CliError } from './client.js';
import { EXIT } from './exit-codes.js';

type Claims = Record<string, string[]>;

/** `--claim name=value`, repeatable; repeating a name accepts any of its values. */
function collectClaim(value: string, claims: Claims = {}): Claims {
  const at = value.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('expected name=value');
  const name = value.slice(0, at);
  return { ...claims, [name]: [...(claims[name] ?? []), value.slice(at + 1)] };
}

function parseSeconds(value: string): number {
  if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError('expected a whole number of seconds');
  return Number(value);
}

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export interface PolicyOptions {
  issuer?: string;
  user?: string;
  scopes?: string;
  subject?: string | false;
  claim?: Claims;
  audience?: string;
  audiences?: string;
  maxTtl?: number;
  singleUse?: boolean;
  requireDpop?: boolean;
  json?: boolean;
}

/** Update adds `--name` and the ways to clear or turn off what create can only set. */
export interface PolicyChangeOptions extends PolicyOptions {
  name?: string;
  /** false after `--no-claims`. */
  claims?: boolean;
}

/** On create the issuer, the user and the scopes are required; on update every option is optional. */
export function addPolicyOptions(command: Command, required: boolean): Command {
  const option = (flags: string, about: string) =>
    required ? command.requiredOption(flags, about) : command.option(flags, about);
  option('--issuer <url>', "the issuer, exactly as its tokens' iss says");
  option('--user <user>', 'the user the JWTs are for: username, id or id prefix');
  option('-s, --scopes <list>', 'comma-separated scopes (within the user’s entitlements)');
  return command
    .option('--subject <pattern>', 'exact sub, or a pattern where * matches any run of characters')
    .option('--claim <name=value>', 'a claim condition (repeatable)', collectClaim)
    .option('--audience <aud>', "the external token's required aud (default: Tessera's issuer)")
    .option('--audiences <list>', 'resources the JWTs may be for (comma-separated)')
    .option('--max-ttl <seconds>', 'longest JWT lifetime', parseSeconds)
    .option('--single-use', 'accept each external token (jti) once')
    .option('--require-dpop', 'its exchanges need a DPoP proof (RFC 9449)');
}

/** The fields both bodies take from the shared options; `undefined` ones are not sent. */
function commonFields(opts: PolicyOptions) {
  return {
    issuer: opts.issuer,
    user_id: opts.user,
    scopes: opts.scopes === undefined ? undefined : list(opts.scopes),
    subject: opts.subject === false ? null : opts.subject,
    audience: opts.audience,
    audiences: opts.audiences === undefined ? undefined : list(opts.audiences),
    max_ttl_seconds: opts.maxTtl,
  };
}

export function createBody(name: string, opts: PolicyOptions) {
  return {
    name,
    ...commonFields(opts),
    claims: opts.claim,
    single_use: opts.singleUse ? true : undefined,
    require_dpop: opts.requireDpop ? true : undefined,
  };
}

/** The PATCH body: claims given replace the old map, `--no-claims` empties it, `--no-subject` clears. */
export function changeBody(opts: PolicyChangeOptions) {
  if (opts.claims === false && opts.claim) {
    throw new CliError('--claim and --no-claims contradict each other', EXIT.usage);
  }
  const body = {
    name: opts.name,
    ...commonFields(opts),
    claims: opts.claims === false ? {} : opts.claim,
    single_use: opts.singleUse,
    require_dpop: opts.requireDpop,
  };
  if (Object.values(body).every((value) => value === undefined)) {
    throw new CliError('nothing to change: give at least one option (tessera help trust update)', EXIT.usage);
  }
  return body;
}
