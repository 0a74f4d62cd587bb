/** Admin pages for users: the list with a create form, and one user's page (entitlements, tokens). */
import type { presentUser } from '../../api/presenters.js';
import { type Html, h } from '../jsx.js';
import { CsrfField, ErrorSummary, Layout, TableWrap, type Viewer } from './layout.js';
import { NextPage } from './tokens.js';

export type PresentedUser = ReturnType<typeof presentUser>;
type Catalogue = Array<{ name: string; description: string }>;

function EntitlementBoxes(props: { catalogue: Catalogue; checked: string[]; prefix: string }): Html {
  return (
    <fieldset>
      <legend>Entitlements</legend>
      {props.catalogue.map((scope, i) => (
        <div class="check">
          <input
            type="checkbox"
            id={`${props.prefix}-${i}`}
            name="entitlements"
            value={scope.name}
            checked={props.checked.includes(scope.name)}
          />
          <label for={`${props.prefix}-${i}`}>{scope.name}</label>
          <span class="hint">{scope.description}</span>
        </div>
      ))}
    </fieldset>
  );
}

function UserRowActions(props: { user: PresentedUser; viewer: Viewer }): Html {
  const { user } = props;
  const post = (action: string, verb: string) => (
    <form method="post" action={`/console/admin/users/${user.id}/${action}`} class="inline">
      <CsrfField viewer={props.viewer} />
      <button type="submit" class="small">
        {verb}
        <span class="visually-hidden"> {user.username}</span>
      </button>
    </form>
  );
  return (
    <span>
      {user.disabled ? post('enable', 'Enable') : post('disable', 'Disable')}
      <form method="get" action={`/console/admin/users/${user.id}/delete`} class="inline">
        <button type="submit" class="danger small">
          Delete<span class="visually-hidden"> {user.username}</span>
        </button>
      </form>
    </span>
  );
}

export function usersPage(props: {
  viewer: Viewer;
  users: PresentedUser[];
  nextCursor: string | null;
  catalogue: Catalogue;
  errors: string[];
  values: { username: string; entitlements: string[]; service: boolean };
}): Html {
  return (
    <Layout title="Users" viewer={props.viewer}>
      <h1>Users</h1>
      <TableWrap label="Users">
        <table>
          <caption>Users</caption>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Kind</th>
              <th scope="col">Entitlements</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {props.users.map((user) => (
              <tr>
                <th scope="row">
                  <a href={`/console/admin/users/${user.id}`}>{user.username}</a>
                </th>
                <td>{user.service ? 'service account' : 'person'}</td>
                <td>{user.entitlements.join(' ')}</td>
                <td>{user.disabled ? 'disabled' : 'active'}</td>
                <td>
                  <UserRowActions user={user} viewer={props.viewer} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <NextPage path="/console/admin/users" query={{}} cursor={props.nextCursor} />
      <h2>New user</h2>
      <ErrorSummary errors={props.errors} />
      <form method="post" action="/console/admin/users" class="card">
        <CsrfField viewer={props.viewer} />
        <label for="username">Username</label>
        <input id="username" name="username" required maxlength="63" value={props.values.username} />
        <EntitlementBoxes
          catalogue={props.catalogue}
          checked={props.values.entitlements}
          prefix="new-entitlement"
        />
        <div class="check">
          <input type="checkbox" id="service" name="service" value="true" checked={props.values.service} />
          <label for="service">Service account</label>
          <span class="hint">For scripts and CI: only administrators create its tokens.</span>
        </div>
        <button type="submit">Create user</button>
      </form>
    </Layout>
  );
}

export function userPage(props: {
  viewer: Viewer;
  user: PresentedUser;
  catalogue: Catalogue;
  errors: string[];
}): Html {
  const { user } = props;
  return (
    <Layout title={`User ${user.username}`} viewer={props.viewer}>
      <p>
        <a href="/console/admin/users">← Users</a>
      </p>
      <h1>{user.username}</h1>
      <p>
        {user.service ? 'Service account' : 'Person'} · {user.disabled ? 'disabled' : 'active'} ·{' '}
        <a href={`/console/admin/tokens?${new URLSearchParams({ user: user.username })}`}>Tokens</a> ·{' '}
        <a href={`/console/admin/users/${user.id}/tokens/new`}>New token for {user.username}</a>
      </p>
      <ErrorSummary errors={props.errors} />
      <form method="post" action={`/console/admin/users/${user.id}/entitlements`} class="card">
        <CsrfField viewer={props.viewer} />
        <EntitlementBoxes catalogue={props.catalogue} checked={user.entitlements} prefix="entitlement" />
        <button type="submit">Save entitlements</button>
      </form>
    </Layout>
  );
}
