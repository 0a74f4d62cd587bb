/** Admin pages for trust policies: the list, one policy with its events, and the create/edit form. */
import type { FieldError } from '../../errors.js';
import type { TrustPolicy } from '../../federation/policy.js';
import type { FederatedAuditRow } from '../../federation/trail.js';
import { Fragment, type Html, h } from '../jsx.js';
import type { TrustForm } from '../trust-form.js';
import { CheckGroup, described, Field, FormErrorSummary } from './fields.js';
import { CsrfField, Layout, TableWrap, type Viewer } from './layout.js';
import { exactTime, When } from './time.js';
import { NextPage } from './tokens.js';

const BASE = '/console/admin/trust-policies';

export function conditionsText(policy: Pick<TrustPolicy, 'claims'>): string {
  return (
    Object.entries(policy.claims)
      .map(([name, values]) => `${name} = ${values.join(' | ')}`)
      .join('; ') || '-'
  );
}

export function trustPoliciesPage(props: {
  viewer: Viewer;
  policies: TrustPolicy[];
  usernames: Map<string, string>;
  nextCursor: string | null;
}): Html {
  return (
    <Layout title="Trust policies" viewer={props.viewer}>
      <div class="title-row">
        <h1>Trust policies</h1>
        <a href={`${BASE}/new`} class="button">
          New trust policy
        </a>
      </div>
      <p>
        Which external OIDC tokens (CI jobs, workloads) may be exchanged, for which user and scopes. Refused
        exchanges are on the <a href="/console/admin/federation">Federation</a> page.
      </p>
      <TableWrap label="Trust policies">
        <table>
          <caption>Trust policies</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Issuer</th>
              <th scope="col">Subject</th>
              <th scope="col">Claims</th>
              <th scope="col">User</th>
              <th scope="col">Scopes</th>
            </tr>
          </thead>
          <tbody>
            {props.policies.map((p) => (
              <tr>
                <th scope="row">
                  <a href={`${BASE}/${p.id}`}>{p.name}</a>
                </th>
                <td>{p.issuer}</td>
                <td>{p.subject ?? '-'}</td>
                <td>{conditionsText(p)}</td>
                <td>{props.usernames.get(p.user_id) ?? p.user_id}</td>
                <td>{p.scopes.join(' ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {props.policies.length === 0 && <p>No trust policies yet.</p>}
      <NextPage path={BASE} query={{}} cursor={props.nextCursor} />
    </Layout>
  );
}

function Settings(props: { policy: TrustPolicy; username: string; now: Date }): Html {
  const { policy } = props;
  const row = (label: string, value: Html | string) => (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
  return (
    <dl class="settings">
      {row('Issuer', <code>{policy.issuer}</code>)}
      {row('Audience', <code>{policy.audience}</code>)}
      {row('Subject', policy.subject ? <code>{policy.subject}</code> : 'any (claims decide)')}
      {row('Claims', conditionsText(policy))}
      {row('User', props.username)}
      {row('Scopes', policy.scopes.join(' '))}
      {row('Resources', policy.audiences.join(' '))}
      {row('Token lifetime', `at most ${policy.max_ttl_seconds} s`)}
      {row('Single use', policy.single_use ? 'yes' : 'no')}
      {row('DPoP required', policy.require_dpop ? 'yes' : 'no')}
      {row('Created', <When at={policy.created_at} now={props.now} />)}
      {row('Changed', <When at={policy.updated_at} now={props.now} />)}
    </dl>
  );
}

function outcomeText(e: FederatedAuditRow): string {
  if (e.outcome === 'success') return e.action === 'token.exchanged' ? 'granted' : 'done';
  return `denied${e.reason ? ` (${e.reason})` : ''}`;
}

function matchedText(claims: Record<string, unknown> | null): string {
  if (!claims) return '-';
  return Object.entries(claims)
    .map(([name, value]) => `${name} = ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('; ');
}

export function PolicyEvents(props: { events: FederatedAuditRow[] }): Html {
  return (
    <TableWrap label="Events">
      <table aria-labelledby="events-heading">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Outcome</th>
            <th scope="col">External subject</th>
            <th scope="col">Matched claims</th>
            <th scope="col">Scope</th>
            <th scope="col">By</th>
            <th scope="col">Address</th>
          </tr>
        </thead>
        <tbody>
          {props.events.map((e) => (
            <tr>
              <td>
                <time datetime={e.occurred_at.toISOString()}>{exactTime(e.occurred_at)}</time>
              </td>
              <td>{e.action}</td>
              <td>{outcomeText(e)}</td>
              <td>{e.external_sub ?? '-'}</td>
              <td>{matchedText(e.matched_claims)}</td>
              <td>{e.scope ?? '-'}</td>
              <td>{e.actor_username ?? '-'}</td>
              <td>{e.ip ?? '-'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function trustPolicyPage(props: {
  viewer: Viewer;
  policy: TrustPolicy;
  username: string;
  events: FederatedAuditRow[];
  nextCursor: string | null;
  notice?: string | undefined;
  now: Date;
}): Html {
  const { policy } = props;
  return (
    <Layout title={`Trust policy ${policy.name}`} viewer={props.viewer}>
      <p>
        <a href={BASE}>← Trust policies</a>
      </p>
      <h1>{policy.name}</h1>
      {props.notice && (
        <p role="status" class="notice">
          {props.notice}
        </p>
      )}
      <p>
        <a href={`${BASE}/${policy.id}/edit`} class="button">
          Edit<span class="visually-hidden"> {policy.name}</span>
        </a>{' '}
        <a href={`${BASE}/${policy.id}/delete`} class="button danger">
          Delete<span class="visually-hidden"> {policy.name}</span>
        </a>
      </p>
      <Settings policy={policy} username={props.username} now={props.now} />
      <h2 id="events-heading">Events</h2>
      <p>Its changes and every federated exchange it decided, newest first.</p>
      {props.events.length === 0 ? <p>No events yet.</p> : <PolicyEvents events={props.events} />}
      {props.nextCursor && (
        <p>
          <a href={`?${new URLSearchParams({ cursor: props.nextCursor })}`} rel="next">
            Older events
          </a>
        </p>
      )}
    </Layout>
  );
}

export interface TrustFormProps {
  viewer: Viewer;
  /** Set when editing: the policy's id and current name. */
  editing?: { id: string; name: string } | undefined;
  values: TrustForm;
  errors: FieldError[];
  scopes: Array<{ name: string; description: string }>;
  resources: string[];
  issuer: string;
}

const FIELDS = ['name', 'issuer', 'audience', 'subject', 'claims', 'user_id', 'scopes', 'audiences'];

function TextInput(props: { name: string; value: string; errors: FieldError[]; hint?: boolean }): Html {
  return (
    <input
      id={props.name}
      name={props.name}
      value={props.value}
      {...described(props.name, props.errors, props.hint ?? true)}
    />
  );
}

function Conditions(props: { form: TrustFormProps }): Html {
  const { values, errors } = props.form;
  return (
    <>
      <Field
        name="subject"
        label="Subject"
        hint="The token's sub: an exact value, or a pattern where * matches any run of characters. Optional if claims are given."
        errors={errors}
      >
        <TextInput name="subject" value={values.subject} errors={errors} />
      </Field>
      <Field
        name="claims"
        label="Claims"
        hint="One condition per line, claim = value (patterns with * allowed); name a claim on several lines to accept any of its values."
        errors={errors}
      >
        <textarea id="claims" name="claims" rows="4" {...described('claims', errors, true)}>
          {values.claims}
        </textarea>
      </Field>
    </>
  );
}

function Grant(props: { form: TrustFormProps }): Html {
  const { values, errors } = props.form;
  const toggle = (name: 'single_use' | 'require_dpop', label: string, hint: string) => (
    <div class="check">
      <input type="checkbox" id={name} name={name} value="true" checked={values[name] === 'true'} />
      <label for={name}>{label}</label>
      <span class="hint">{hint}</span>
    </div>
  );
  return (
    <>
      <Field
        name="user_id"
        label="User"
        hint="Username or id of the Tessera user (usually a service account)."
        errors={errors}
      >
        <input id="user_id" name="user" value={values.user} {...described('user_id', errors, true)} />
      </Field>
      <CheckGroup
        name="scopes"
        legend="Scopes"
        options={props.form.scopes.map((s) => ({ value: s.name, description: s.description }))}
        checked={values.scopes}
        errors={errors}
      />
      <CheckGroup
        name="audiences"
        legend="Resources"
        hint="Where the issued token may be used. None chosen: the default resource."
        options={props.form.resources.map((value) => ({ value }))}
        checked={values.audiences}
        errors={errors}
      />
      <Field name="max_ttl_seconds" label="Token lifetime (seconds)" hint="60 to 86400." errors={errors}>
        <input
          id="max_ttl_seconds"
          name="max_ttl_seconds"
          inputmode="numeric"
          value={values.max_ttl_seconds}
          {...described('max_ttl_seconds', errors, true)}
        />
      </Field>
      {toggle('single_use', 'Single use', 'Each external token (its jti) is accepted once.')}
      {toggle('require_dpop', 'Require DPoP', 'Exchanges need a DPoP proof (RFC 9449).')}
    </>
  );
}

export function trustPolicyFormPage(form: TrustFormProps): Html {
  const title = form.editing ? `Edit trust policy ${form.editing.name}` : 'New trust policy';
  const action = form.editing ? `${BASE}/${form.editing.id}` : BASE;
  const { values, errors } = form;
  return (
    <Layout title={title} viewer={form.viewer}>
      <p>
        <a href={form.editing ? `${BASE}/${form.editing.id}` : BASE}>← Back</a>
      </p>
      <h1>{title}</h1>
      <FormErrorSummary errors={errors} fields={[...FIELDS, 'max_ttl_seconds']} />
      <form method="post" action={action} class="card">
        <CsrfField viewer={form.viewer} />
        <Field
          name="name"
          label="Name"
          hint="Letters, digits, . _ -; CI names it with trust_policy=NAME when several match."
          errors={errors}
        >
          <TextInput name="name" value={values.name} errors={errors} />
        </Field>
        <Field
          name="issuer"
          label="Issuer"
          hint="https URL of the OIDC issuer, e.g. https://token.actions.githubusercontent.com"
          errors={errors}
        >
          <TextInput name="issuer" value={values.issuer} errors={errors} />
        </Field>
        <Field
          name="audience"
          label="Audience"
          hint={`What the external token's aud must contain. Empty: ${form.issuer}`}
          errors={errors}
        >
          <TextInput name="audience" value={values.audience} errors={errors} />
        </Field>
        <Conditions form={form} />
        <Grant form={form} />
        <button type="submit">{form.editing ? 'Save trust policy' : 'Create trust policy'}</button>
      </form>
    </Layout>
  );
}
