/** A token's events: what happened, to whom and for whom, from where, with which client. */
import type { AuditRow } from '../../audit/trail.js';
import { delegationText, type Names, outcomeText, reasonParts } from '../event-text.js';
import { Fragment, type Html, h } from '../jsx.js';
import { userAgentLabel } from '../user-agent.js';
import { TableWrap } from './layout.js';
import { exactTime } from './time.js';

/** A reason with names (and a link for a token) in place of ids. */
function Reason(props: { reason: string; names: Names; base: string }): Html {
  return (
    <>
      {reasonParts(props.reason).map((part) => {
        if ('text' in part) return part.text;
        const named = props.names.get(part.id);
        if (!named) return part.id;
        return named.kind === 'pat' ? <a href={`${props.base}/${part.id}`}>{named.name}</a> : named.name;
      })}
    </>
  );
}

function Details(props: { event: AuditRow; names: Names; base: string; owner: string }): Html {
  const { event } = props;
  const delegation = delegationText(event, props.names, props.owner);
  // A success's reason says more than the outcome ("replaced by …"), unless it repeats it ("revoked").
  const reason = event.outcome === 'success' && event.reason !== outcomeText(event) ? event.reason : null;
  if (!delegation && !reason) return <>—</>;
  return (
    <>
      {delegation && <strong class="acted">{delegation}</strong>}
      {delegation && reason && <br />}
      {reason && <Reason reason={reason} names={props.names} base={props.base} />}
    </>
  );
}

function UserAgent(props: { raw: string | null }): Html {
  const label = userAgentLabel(props.raw);
  if (!label || !props.raw) return <>—</>;
  return (
    <span class="ua" title={props.raw}>
      {label}
    </span>
  );
}

export function TokenEvents(props: {
  events: AuditRow[];
  names: Names;
  /** Where token links lead: `/console/tokens` or `/console/admin/tokens`. */
  base: string;
  /** Who "acted for …" names on this page: "you" on the owner's own page. */
  owner: string;
}): Html {
  return (
    <TableWrap label="Events">
      <table aria-labelledby="events-heading">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Outcome</th>
            <th scope="col">By</th>
            <th scope="col">Details</th>
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
              <td>{outcomeText(e)}</td>
              <td>{e.actor_username ?? (e.actor_user_id ? e.actor_user_id : '—')}</td>
              <td>
                <Details event={e} names={props.names} base={props.base} owner={props.owner} />
              </td>
              <td>{e.client_id ?? '—'}</td>
              <td>{e.audience ?? '—'}</td>
              <td>{e.ip ?? '—'}</td>
              <td>
                <UserAgent raw={e.user_agent} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.events.length === 0 && <p class="muted">No events yet.</p>}
    </TableWrap>
  );
}
