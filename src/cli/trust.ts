/** `tessera trust ...`: federation trust policies over the REST API (admin). */
import type { Command } from 'commander';
import type { ApiClient } from './client.js';
import { printJson } from './format.js';
import { addEventsOptions, printEvents } from './token-events.js';
import {
  addPolicyOptions,
  changeBody,
  createBody,
  type PolicyChangeOptions,
  type PolicyOptions,
} from './trust-options.js';
import { registerTrustRefusals } from './trust-refusals.js';
import {
  POLICIES_PATH,
  type PolicyEventView,
  type PolicyView,
  policyEventTable,
  policyFields,
  policyTable,
  resolvePolicy,
} from './trust-view.js';
import { resolveUser } from './user-view.js';

type Out = (text: string) => void;

export function registerTrustCommands(program: Command, client: () => ApiClient, out: Out) {
  const trust = program.command('trust').description('manage federation trust policies (admin)');
  const show = (policy: PolicyView, json?: boolean) => out(json ? printJson(policy) : policyFields(policy));

  addPolicyOptions(
    trust.command('create <name>').description("trust an issuer's tokens that match a subject or claims"),
    true,
  )
    .option('--json', 'print JSON')
    .action(async (name: string, opts: PolicyOptions) => {
      const api = client();
      const body = createBody(name, { ...opts, user: await resolveUser(api, opts.user as string) });
      show(await api.request<PolicyView>('POST', POLICIES_PATH, body), opts.json);
    });

  trust
    .command('list')
    .description('list trust policies')
    .option('--wide', 'every column whole, however wide')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean; wide?: boolean }) => {
      const items = await client().listAll<PolicyView>(POLICIES_PATH);
      out(opts.json ? printJson(items) : policyTable(items, opts.wide));
    });

  trust
    .command('show <id>')
    .description('show one trust policy')
    .option('--json', 'print JSON')
    .action(async (input: string, opts: { json?: boolean }) => {
      const api = client();
      show(
        await api.request<PolicyView>('GET', `${POLICIES_PATH}/${await resolvePolicy(api, input)}`),
        opts.json,
      );
    });

  registerTrustChanges(trust, client, out, show);
  registerTrustRefusals(trust, client, out);
}

/** The commands that change a policy or read its history: update, delete, events. */
function registerTrustChanges(
  trust: Command,
  client: () => ApiClient,
  out: Out,
  show: (policy: PolicyView, json?: boolean) => void,
) {
  addPolicyOptions(
    trust.command('update <id>').description('change a trust policy: only the fields given (claims replace)'),
    false,
  )
    .option('--name <name>', 'rename the policy')
    .option('--no-subject', 'clear the subject (claims alone decide)')
    .option('--no-claims', 'clear every claim condition (the subject alone decides)')
    .option('--no-single-use', 'accept an external token more than once again')
    .option('--no-require-dpop', 'exchanges through it need no DPoP proof')
    .option('--json', 'print JSON')
    .action(async (input: string, opts: PolicyChangeOptions) => {
      const api = client();
      const user = opts.user === undefined ? undefined : await resolveUser(api, opts.user);
      const body = changeBody({ ...opts, user });
      show(
        await api.request<PolicyView>('PATCH', `${POLICIES_PATH}/${await resolvePolicy(api, input)}`, body),
        opts.json,
      );
    });

  trust
    .command('delete <id>')
    .description('delete a trust policy (its next exchange is refused)')
    .action(async (input: string) => {
      const api = client();
      const id = await resolvePolicy(api, input);
      await api.request('DELETE', `${POLICIES_PATH}/${id}`);
      out(`deleted ${id}`);
    });

  addEventsOptions(
    trust.command('events <id>').description("a policy's trail: its changes and the exchanges it decided"),
  ).action(async (input: string, opts: { limit?: string; cursor?: string; json?: boolean }) => {
    const api = client();
    const path = `${POLICIES_PATH}/${await resolvePolicy(api, input)}/events`;
    await printEvents<PolicyEventView>(api, path, opts, out, policyEventTable);
  });
}
