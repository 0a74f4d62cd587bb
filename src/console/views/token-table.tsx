/** The table "Personal access tokens", shared by a person's page and the admins' page. */
import type { presentPat } from '../../api/presenters.js';
import { restoreRefusal } from '../../pat/revocation.js';
import { type Html, h } from '../jsx.js';
import { CsrfField, TableWrap, type Viewer } from './layout.js';
import { When } from './time.js';

export type PresentedPat = ReturnType<typeof presentPat>;

/** A button whose accessible name is "Revoke NAME", showing "Revoke" (the row names the token). */
function ActionButton(props: { verb: string; name: string; danger?: boolean }): Html {
  return (
    <button type="submit" class={props.danger ? 'danger small' : 'small'}>
      {props.verb}
      <span class="visually-hidden"> {props.name}</span>
    </button>
  );
}

/** Revoke, rotate and delete go to a confirmation page; restore undoes nothing and posts at once. */
function RowActions(props: { pat: PresentedPat; base: string; viewer: Viewer; admin: boolean }): Html {
  const { pat, base } = props;
  const confirm = (verb: string, action: string, danger = false) => (
    <form method="get" action={`${base}/${pat.id}/${action}`} class="inline">
      <ActionButton verb={verb} name={pat.name} danger={danger} />
    </form>
  );
  if (props.admin) return pat.status === 'active' ? confirm('Revoke', 'revoke', true) : <span />;
  return (
    <span class="actions">
      {pat.status === 'active' && confirm('Revoke', 'revoke', true)}
      {pat.status === 'active' && confirm('Rotate', 'rotate')}
      {pat.status === 'revoked' && pat.revocation_kind === 'rotation' && (
        <span class="muted">replaced (rotated)</span>
      )}
      {pat.status === 'revoked' &&
        restoreRefusal(pat.revocation_kind, { admin: props.viewer.admin }) === null && (
          <form method="post" action={`${base}/${pat.id}/restore`} class="inline">
            <CsrfField viewer={props.viewer} />
            <ActionButton verb="Restore" name={pat.name} />
          </form>
        )}
      {pat.status !== 'active' && confirm('Delete', 'delete', true)}
    </span>
  );
}

export function StatusMark(props: { status: string }): Html {
  const symbol = props.status === 'active' ? '●' : props.status === 'revoked' ? '✕' : '◌';
  return (
    <span class={`status status-${props.status}`}>
      <span aria-hidden="true">{symbol} </span>
      {props.status}
    </span>
  );
}

export function TokenTable(props: {
  pats: PresentedPat[];
  now: Date;
  viewer: Viewer;
  /** Admin view: owner column, revoke only, links to the admin token page. */
  owners?: Map<string, string> | undefined;
}): Html {
  const admin = props.owners !== undefined;
  const base = admin ? '/console/admin/tokens' : '/console/tokens';
  return (
    <TableWrap label="Personal access tokens">
      <table>
        <caption>Personal access tokens</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            {admin && <th scope="col">User</th>}
            <th scope="col">Hint</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.pats.map((pat) => (
            <tr>
              <th scope="row">
                <a href={`${base}/${pat.id}`}>{pat.name}</a>
              </th>
              {admin && <td>{props.owners?.get(pat.user_id) ?? pat.user_id}</td>}
              <td>
                <code>{pat.hint}</code>
              </td>
              <td>{pat.scopes.join(' ')}</td>
              <td>
                <When at={pat.created_at} now={props.now} />
              </td>
              <td>
                <When at={pat.last_used_at} now={props.now} />
              </td>
              <td>
                <When at={pat.expires_at} now={props.now} never="never expires" />
              </td>
              <td>
                <StatusMark status={pat.status} />
              </td>
              <td>
                <RowActions pat={pat} base={base} viewer={props.viewer} admin={admin} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.pats.length === 0 && <p class="muted">No tokens match.</p>}
    </TableWrap>
  );
}
