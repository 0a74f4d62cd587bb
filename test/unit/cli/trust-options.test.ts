/** `trust create|update` request bodies: PATCH sends only what was given; clearing is explicit. */
import { describe, expect, it } from '@jest/globals';
import { CliError } from '../../../src/cli/client.js';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { changeBody, createBody } from '../../../src/cli/trust-options.js';

/** What goes on the wire: `undefined` fields are not sent. */
const wire = (body: unknown) => JSON.parse(JSON.stringify(body));

describe('changeBody', () => {
  it('holds only the options given', () => {
    expect(wire(changeBody({ maxTtl: 300 }))).toEqual({ max_ttl_seconds: 300 });
    expect(wire(changeBody({ scopes: 'a, b,,a', audiences: 'https://x' }))).toEqual({
      scopes: ['a', 'b', 'a'],
      audiences: ['https://x'],
    });
  });

  it('--no-subject sends null, --no-claims an empty map, --no-single-use false', () => {
    expect(wire(changeBody({ subject: false, claims: false, singleUse: false }))).toEqual({
      subject: null,
      claims: {},
      single_use: false,
    });
  });

  it('claims given replace the map; the defaulted `claims: true` of commander sends nothing', () => {
    expect(wire(changeBody({ claim: { env: ['prod'] }, claims: true }))).toEqual({
      claims: { env: ['prod'] },
    });
  });

  it.each([
    ['nothing given', {}],
    ['only commander defaults', { claims: true, json: true }],
    ['--claim with --no-claims', { claim: { env: ['prod'] }, claims: false }],
  ])('%s is a usage error', (_, opts) => {
    const error = (() => {
      try {
        changeBody(opts);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT.usage);
  });
});

describe('createBody', () => {
  it('names the policy and leaves unset options to the server defaults', () => {
    expect(wire(createBody('deploy', { issuer: 'https://i', user: 'u', scopes: 'repo:read' }))).toEqual({
      name: 'deploy',
      issuer: 'https://i',
      user_id: 'u',
      scopes: ['repo:read'],
    });
    expect(wire(createBody('d', { singleUse: true, subject: 'repo:*' }))).toMatchObject({
      single_use: true,
      subject: 'repo:*',
    });
  });
});
