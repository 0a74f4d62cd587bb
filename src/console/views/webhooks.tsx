/** Admin pages for webhook endpoints: the list, one endpoint with its delivery log, the form, the secret once. */
import type { FieldError } from '../../errors.js';
import type { DeliveryRow, EndpointRow } from '../../webhooks/repository.js';
import { Fragment, type Html, h } from '../jsx.js';
import type { WebhookForm } from '../webhook-form.js';
import { CheckGroup, described, Field, FormErrorSummary } from './fields.js';
import { CsrfField, Layout, TableWrap, type Viewer } from './layout.js';
import { exactTime, When } from './time.js';
import { NextPage } from './tokens.js';

const BASE = '/console/admin/webhooks';

function State(props: { endpoint: EndpointRow }): Html {
  const { endpoint } = props;
  if (endpoint.disabled_at === null) return <span class="status status-active">enabled</span>;
  return <span class="status status-revoked">disabled</span>;
}

export function webhooksPage(props: {
  viewer: Viewer;
  endpoints: EndpointRow[];
  nextCursor: string | null;
}): Html {
  return (
    <Layout title="Webhooks" viewer={props.viewer}>
      <div class="title-row">
        <h1>Webhooks</h1>
        <a href={`${BASE}/new`} class="button">
          New webhook
        </a>
      </div>
      <p>Endpoints Tessera posts signed events to (Standard Webhooks), at least once, with retries.</p>
      <TableWrap label="Webhook endpoints">
        <table>
          <caption>Webhook endpoints</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">Description</th>
              <th scope="col">State</th>
              <th scope="col">Failures in a row</th>
            </tr>
          </thead>
          <tbody>
            {props.endpoints.map((e) => (
              <tr>
                <th scope="row">
                  <a href={`${BASE}/${e.id}`}>{e.url}</a>
                </th>
                <td>{e.events.join(' ')}</td>
                <td>{e.description ?? '-'}</td>
                <td>
                  <State endpoint={e} />
                </td>
                <td>{String(e.consecutive_failures)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {props.endpoints.length === 0 && <p>No webhook endpoints yet.</p>}
      <NextPage path={BASE} query={{}} cursor={props.nextCursor} />
    </Layout>
  );
}

function Deliveries(props: { deliveries: DeliveryRow[] }): Html {
  return (
    <TableWrap label="Delivery log">
      <table aria-labelledby="deliveries-heading">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Attempt</th>
            <th scope="col">Outcome</th>
            <th scope="col">Status</th>
            <th scope="col">Error</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          {props.deliveries.map((d) => (
            <tr>
              <td>
                <time datetime={d.attempted_at.toISOString()}>{exactTime(d.attempted_at)}</time>
              </td>
              <td>
                {d.event_type} <code class="muted">{d.event_id}</code>
              </td>
              <td>{String(d.attempt)}</td>
              <td>{d.outcome}</td>
              <td>{d.status_code === null ? '-' : String(d.status_code)}</td>
              <td>{d.error ?? '-'}</td>
              <td>{`${d.duration_ms} ms`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function Disabled(props: { viewer: Viewer; endpoint: EndpointRow; now: Date }): Html {
  const { endpoint } = props;
  if (endpoint.disabled_at === null) return <></>;
  return (
    <div class="card">
      <p>
        Disabled <When at={endpoint.disabled_at} now={props.now} />:{' '}
        {endpoint.disabled_reason ?? 'no reason given'}. Nothing is sent to it until it is enabled again.
      </p>
      <form method="post" action={`${BASE}/${endpoint.id}/enable`} class="inline">
        <CsrfField viewer={props.viewer} />
        <button type="submit">Re-enable</button>
      </form>
    </div>
  );
}

export function webhookPage(props: {
  viewer: Viewer;
  endpoint: EndpointRow;
  deliveries: DeliveryRow[];
  nextCursor: string | null;
  createdBy: string | null;
  notice?: string | undefined;
  now: Date;
}): Html {
  const { endpoint } = props;
  const row = (label: string, value: Html | string) => (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
  return (
    <Layout title={`Webhook ${endpoint.url}`} viewer={props.viewer}>
      <p>
        <a href={BASE}>← Webhooks</a>
      </p>
      <h1 class="wrap">{endpoint.url}</h1>
      {props.notice && (
        <p role="status" class="notice">
          {props.notice}
        </p>
      )}
      <p>
        <a href={`${BASE}/${endpoint.id}/edit`} class="button">
          Edit webhook
        </a>{' '}
        <a href={`${BASE}/${endpoint.id}/delete`} class="button danger">
          Delete webhook
        </a>
      </p>
      <Disabled viewer={props.viewer} endpoint={endpoint} now={props.now} />
      <dl class="settings">
        {row('Events', endpoint.events.join(' '))}
        {row('Description', endpoint.description ?? '-')}
        {row('State', <State endpoint={endpoint} />)}
        {row('Failures in a row', String(endpoint.consecutive_failures))}
        {row('Created', <When at={endpoint.created_at} now={props.now} />)}
        {row('Created by', props.createdBy ?? '-')}
      </dl>
      <h2 id="deliveries-heading">Delivery log</h2>
      {props.deliveries.length === 0 ? (
        <p>Nothing delivered yet.</p>
      ) : (
        <Deliveries deliveries={props.deliveries} />
      )}
      {props.nextCursor && (
        <p>
          <a href={`?${new URLSearchParams({ cursor: props.nextCursor })}`} rel="next">
            Older deliveries
          </a>
        </p>
      )}
    </Layout>
  );
}

export interface WebhookFormProps {
  viewer: Viewer;
  editing?: { id: string; url: string } | undefined;
  values: WebhookForm;
  errors: FieldError[];
  events: readonly string[];
}

export function webhookFormPage(form: WebhookFormProps): Html {
  const title = form.editing ? 'Edit webhook' : 'New webhook';
  const { values, errors } = form;
  return (
    <Layout title={title} viewer={form.viewer}>
      <p>
        <a href={form.editing ? `${BASE}/${form.editing.id}` : BASE}>← Back</a>
      </p>
      <h1>{title}</h1>
      <FormErrorSummary errors={errors} fields={['url', 'events', 'description', 'enabled']} />
      <form method="post" action={form.editing ? `${BASE}/${form.editing.id}` : BASE} class="card">
        <CsrfField viewer={form.viewer} />
        <Field name="url" label="URL" hint="An https URL Tessera posts events to." errors={errors}>
          <input id="url" name="url" type="url" value={values.url} {...described('url', errors, true)} />
        </Field>
        <CheckGroup
          name="events"
          legend="Events"
          options={form.events.map((value) => ({ value }))}
          checked={values.events}
          errors={errors}
        />
        <Field
          name="description"
          label="Description"
          hint="Optional: what receives these events."
          errors={errors}
        >
          <input
            id="description"
            name="description"
            maxlength="200"
            value={values.description}
            {...described('description', errors, true)}
          />
        </Field>
        {form.editing && (
          <div class="check">
            <input
              type="checkbox"
              id="enabled"
              name="enabled"
              value="true"
              checked={values.enabled === 'true'}
            />
            <label for="enabled">Enabled</label>
            <span class="hint">A disabled endpoint is sent nothing.</span>
          </div>
        )}
        <button type="submit">{form.editing ? 'Save webhook' : 'Create webhook'}</button>
      </form>
    </Layout>
  );
}

/** The one page that shows a new endpoint's signing secret (as the new-token banner does for PATs). */
export function webhookSecretPage(props: { viewer: Viewer; endpoint: EndpointRow; secret: string }): Html {
  return (
    <Layout title="Your new webhook" viewer={props.viewer}>
      <h1>Webhook created</h1>
      <p>
        Endpoint: <code class="wrap">{props.endpoint.url}</code>
      </p>
      <div role="alert" class="banner">
        <p>
          <strong>Copy the signing secret now. It will not be shown again.</strong>
        </p>
        <p class="secret">
          <code data-testid="webhook-secret" id="webhook-secret">
            {props.secret}
          </code>{' '}
          <button type="button" data-copy="webhook-secret">
            Copy
          </button>
        </p>
      </div>
      <p>
        The receiver checks each delivery's <code>webhook-signature</code> (HMAC-SHA256, Standard Webhooks)
        with it. <a href={`${BASE}/${props.endpoint.id}`}>Done</a>
      </p>
    </Layout>
  );
}
