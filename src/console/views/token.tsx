/** One token: its settings and its audit trail (every exchange and lifecycle change). */
import type { AuditRow } from '../../audit/trail.js';
import { Fragment, type Html, h } from '../jsx.js';
import { CsrfField, Layout, TableWrap, type Viewer } from './layout.js';
import { exactTime, When } from './time.js';
import { type PresentedPat, StatusMark } from './token-table.js';

/** `last_used_ips`: the last 5 distinct addresses, newest first, each with its time. */
function LastUsedFrom(props: { pat: PresentedPat; now: Date }): Html {
  const uses = props.pat.last_used_ips;
  if (uses.length === 0) return <>{props.pat.last_used_ip ?? '—'}</>;
  return (
    <ul class="plain">
      {uses.map((use) => (
        <li>
          <code>{use.ip}</code> <When at={use.at} now={props.now} />
        </li>
      ))}
    </ul>
  );
}

function Settings(props: { pat: PresentedPat; now: Date; owner?: string | undefined }): Html {
  const { pat } = props;
  const row = (label: string, value: Html | string) => (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
  return (
    <dl class="settings">
      {props.owner ? row('User', props.owner) : ''}
      {row('Hint', <code>{pat.hint}</code>)}
      {row('Scopes', pat.scopes.join(' '))}
      {row('Status', <StatusMark status={pat.status} />)}
      {row('Created', <When at={pat.created_at} now={props.now} />)}
      {row('Last used', <When at={pat.last_used_at} now={props.now} />)}
      {row('Last used from', <LastUsedFrom pat={pat} now={props.now} />)}
      {row('Allowed networks', pat.allowed_cidrs?.length ? pat.allowed_cidrs.join(' ') : 'any address')}
      {row('Expires', <When at={pat.expires_at} now={props.now} never="never expires" />)}
      {pat.revoked_reason ? row('Revoked because', pat.revoked_reason) : ''}
    </dl>
  );
}

function Events(props: { events: AuditRow[] }): Html {
  return (
    <TableWrap label="Events">
      <table>
        <caption>Events</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Outcome</th>
            <th scope="col">Client</th>
            <th scope="col">Audience</th>
            <th scope="col">Address</th>
            <th scope="col">User agent</th>
          </tr>
        </thead>
        <tbody>
          {props.events.map((e) => (
            <tr>
              <td>
                <time datetime={e.occurred_at.toISOString()}>{exactTime(e.occurred_at)}</time>
              </td>
              <td>{e.action}</td>
              <td>{e.outcome === 'success' ? 'granted' : `denied${e.reason ? ` (${e.reason})` : ''}`}</td>
              <td>{e.client_id ?? '—'}</td>
              <td>{e.audience ?? '—'}</td>
              <td>{e.ip ?? '—'}</td>
              <td class="ua">{e.user_agent ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function tokenPage(props: {
  viewer: Viewer;
  pat: PresentedPat;
  events: AuditRow[];
  /** The cursor of the next (older) page of events, if any. */
  nextCursor: string | null;
  now: Date;
  owner?: string | undefined;
  back: string;
}): Html {
  return (
    <Layout title={`Token ${props.pat.name}`} viewer={props.viewer}>
      <p>
        <a href={props.back}>← Tokens</a>
      </p>
      <h1>{props.pat.name}</h1>
      <Settings pat={props.pat} now={props.now} owner={props.owner} />
      <h2>Events</h2>
      <Events events={props.events} />
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

/** The confirmation step before revoke, rotate or delete: one primary action, and a way back. */
export function confirmPage(props: {
  viewer: Viewer;
  verb: string;
  name: string;
  action: string;
  consequence: string;
  back: string;
}): Html {
  return (
    <Layout title={`${props.verb} ${props.name}`} viewer={props.viewer}>
      <h1>
        {props.verb} “{props.name}”?
      </h1>
      <p>{props.consequence}</p>
      <form method="post" action={props.action} class="inline">
        <CsrfField viewer={props.viewer} />
        <button type="submit" class="danger">
          {props.verb} {props.name}
        </button>
      </form>{' '}
      <a href={props.back}>Cancel</a>
    </Layout>
  );
}
