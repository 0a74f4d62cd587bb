/** "Your sessions": where you are signed in, and signing out everywhere else. */
import type { SessionSummary } from '../../session/repository.js';
import { type Html, h } from '../jsx.js';
import { CsrfField, Layout, TableWrap, type Viewer } from './layout.js';
import { When } from './time.js';

export function sessionsPage(props: {
  viewer: Viewer;
  sessions: SessionSummary[];
  currentId: string;
  now: Date;
}): Html {
  const others = props.sessions.filter((s) => s.id !== props.currentId).length;
  return (
    <Layout title="Your sessions" viewer={props.viewer}>
      <h1>Your sessions</h1>
      <TableWrap label="Signed-in sessions">
        <table>
          <caption>Signed-in sessions</caption>
          <thead>
            <tr>
              <th scope="col">Signed in</th>
              <th scope="col">With</th>
              <th scope="col">Last seen</th>
              <th scope="col">Address</th>
              <th scope="col">Browser</th>
            </tr>
          </thead>
          <tbody>
            {props.sessions.map((s) => (
              <tr>
                <td>
                  <When at={s.created_at} now={props.now} />
                  {s.id === props.currentId && <strong> (this session)</strong>}
                </td>
                <td>{s.kind === 'sso' ? 'SSO' : 'access token'}</td>
                <td>
                  <When at={s.last_seen_at} now={props.now} />
                </td>
                <td>{s.ip ?? '—'}</td>
                <td class="ua">{s.user_agent ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {others > 0 && (
        <form method="post" action="/console/sessions/sign-out-others">
          <CsrfField viewer={props.viewer} />
          <button type="submit" class="secondary">
            Sign out other sessions
          </button>
        </form>
      )}
    </Layout>
  );
}
