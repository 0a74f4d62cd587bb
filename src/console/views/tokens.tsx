/** A person's pages: the token list with its status filter and paging, and the new-token form. */

import { MAX_ALLOWED_CIDRS } from '../../pat/address-allowlist.js';
import type { ExpiryChoice } from '../expiry-choices.js';
import { Fragment, type Html, h } from '../jsx.js';
import { NETWORKS_LABEL } from '../token-form.js';
import { CsrfField, ErrorSummary, Layout, type Viewer } from './layout.js';
import { type Done, DoneMessage, MayActField, RequireDpopField } from './token-manage.js';
import { type PresentedPat, TokenTable } from './token-table.js';

const STATUSES = ['active', 'revoked', 'expired'] as const;

export function StatusFilter(props: {
  action: string;
  status: string | undefined;
  children?: unknown;
}): Html {
  return (
    <form method="get" action={props.action} class="filters">
      <label for="status">Status</label>
      <select id="status" name="status">
        <option value="">All</option>
        {STATUSES.map((s) => (
          <option value={s} selected={props.status === s}>
            {s}
          </option>
        ))}
      </select>
      {props.children as Html}
      <button type="submit" class="secondary">
        Filter
      </button>
    </form>
  );
}

export function NextPage(props: {
  path: string;
  query: Record<string, string>;
  cursor: string | null;
}): Html {
  if (!props.cursor) return <></>;
  const query = new URLSearchParams({ ...props.query, cursor: props.cursor });
  return (
    <p>
      <a href={`${props.path}?${query}`} rel="next">
        Next page
      </a>
    </p>
  );
}

export function tokensPage(props: {
  viewer: Viewer;
  pats: PresentedPat[];
  nextCursor: string | null;
  status: string | undefined;
  /** The name search, as typed. */
  name?: string | undefined;
  done?: Done | undefined;
  now: Date;
}): Html {
  const query: Record<string, string> = {};
  if (props.status) query.status = props.status;
  if (props.name) query.name = props.name;
  return (
    <Layout title="Your tokens" viewer={props.viewer}>
      <div class="title-row">
        <h1>Your tokens</h1>
        <a href="/console/tokens/new" class="button">
          New token
        </a>
      </div>
      <DoneMessage done={props.done} />
      <StatusFilter action="/console/tokens" status={props.status}>
        <label for="name-search">Search by name</label>
        <input id="name-search" name="name" type="search" maxlength="100" value={props.name ?? ''} />
      </StatusFilter>
      <TokenTable pats={props.pats} now={props.now} viewer={props.viewer} />
      <NextPage path="/console/tokens" query={query} cursor={props.nextCursor} />
    </Layout>
  );
}

export interface NewTokenForm {
  viewer: Viewer;
  action: string;
  /** Whose token it is, when an admin makes one for a service account. */
  owner?: string | undefined;
  scopes: Array<{ name: string; description: string }>;
  expiries: ExpiryChoice[];
  /** The days a token may be set to expire on (pat/policy.ts `expiryDateRange`). */
  dateRange: { earliest: string; latest: string };
  errors: string[];
  values: NewTokenValues;
}

/** The form's values as sent back, or the empty form (token-form.ts `newTokenForm`). */
export interface NewTokenValues {
  name: string;
  scopes: string[];
  expiration?: string | undefined;
  expires_on?: string;
  allowed_cidrs?: string;
  may_act?: string;
  require_dpop?: string | undefined;
}

/** "Expiration: on the date below", and the date, bounded by the policy's range (UTC days). */
function ExpiryDate(props: { range: NewTokenForm['dateRange']; value: string; errors: string[] }): Html {
  const errors = props.errors.filter((e) => e.startsWith('expires_on: ')).map((e) => e.slice(12));
  const { earliest, latest } = props.range;
  return (
    <>
      <label for="expires_on">Expiry date</label>
      <p class="hint" id="expires_on-hint">
        Used when Expiration is "On a date": the token works until the end of that day (UTC), between{' '}
        {earliest} and {latest}.
      </p>
      {errors.length > 0 && (
        <ul class="field-error" id="expires_on-error">
          {errors.map((e) => (
            <li>{e}</li>
          ))}
        </ul>
      )}
      <input
        id="expires_on"
        name="expires_on"
        type="date"
        min={earliest}
        max={latest}
        value={props.value}
        aria-describedby={errors.length ? 'expires_on-hint expires_on-error' : 'expires_on-hint'}
        aria-invalid={errors.length ? 'true' : undefined}
      />
    </>
  );
}

/** The optional `allowed_cidrs`, with its own errors (token-form.ts) repeated beside it. */
function AllowedNetworks(props: { text: string; errors: string[] }): Html {
  const prefix = `${NETWORKS_LABEL}: `;
  const errors = props.errors.filter((e) => e.startsWith(prefix)).map((e) => e.slice(prefix.length));
  const describedBy = errors.length ? 'allowed_cidrs-hint allowed_cidrs-error' : 'allowed_cidrs-hint';
  return (
    <>
      <label for="allowed_cidrs">{NETWORKS_LABEL}</label>
      <p class="hint" id="allowed_cidrs-hint">
        Optional. The token then works only from these addresses: up to {String(MAX_ALLOWED_CIDRS)} IPv4 or
        IPv6 networks such as 203.0.113.0/24 or 2001:db8::/32, separated by spaces, commas or new lines. Leave
        empty to allow any address.
      </p>
      {errors.length > 0 && (
        <ul class="field-error" id="allowed_cidrs-error">
          {errors.map((e) => (
            <li>{e}</li>
          ))}
        </ul>
      )}
      <textarea
        id="allowed_cidrs"
        name="allowed_cidrs"
        rows="3"
        maxlength="2000"
        aria-describedby={describedBy}
        aria-invalid={errors.length ? 'true' : undefined}
      >
        {props.text}
      </textarea>
    </>
  );
}

export function newTokenPage(form: NewTokenForm): Html {
  const title = form.owner ? `New token for ${form.owner}` : 'New token';
  return (
    <Layout title={title} viewer={form.viewer}>
      <h1>{title}</h1>
      <ErrorSummary errors={form.errors} />
      <form method="post" action={form.action} class="card">
        <CsrfField viewer={form.viewer} />
        <label for="name">Name</label>
        <p class="hint" id="name-hint">
          What is this token for? For example "deploy from CI".
        </p>
        <input
          id="name"
          name="name"
          required
          maxlength="100"
          value={form.values.name}
          aria-describedby="name-hint"
        />
        <fieldset>
          <legend>Scopes</legend>
          {form.scopes.length === 0 && <p>You may not grant any scope.</p>}
          {form.scopes.map((scope, i) => (
            <div class="check">
              <input
                type="checkbox"
                id={`scope-${i}`}
                name="scopes"
                value={scope.name}
                checked={form.values.scopes.includes(scope.name)}
                aria-describedby={`scope-${i}-description`}
              />
              <label for={`scope-${i}`}>{scope.name}</label>
              <span class="hint" id={`scope-${i}-description`}>
                {scope.description}
              </span>
            </div>
          ))}
        </fieldset>
        <label for="expiration">Expiration</label>
        <select id="expiration" name="expiration">
          {form.expiries.map((choice) => (
            <option value={choice.value} selected={choice.selected}>
              {choice.label}
            </option>
          ))}
          <option value="date" selected={form.expiries.every((c) => !c.selected)}>
            On a date (below)
          </option>
        </select>
        <ExpiryDate range={form.dateRange} value={form.values.expires_on ?? ''} errors={form.errors} />
        <AllowedNetworks text={form.values.allowed_cidrs ?? ''} errors={form.errors} />
        <MayActField text={form.values.may_act ?? ''} errors={form.errors} owner={form.owner} />
        <RequireDpopField checked={form.values.require_dpop === 'on'} />
        <button type="submit">Generate token</button>
      </form>
    </Layout>
  );
}
