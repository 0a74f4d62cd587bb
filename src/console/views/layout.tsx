/** The frame of every console page: head, navigation, "Sign out", and the main landmark. */
import { type Child, Fragment, type Html, h } from '../jsx.js';

/** Who is signed in, as the pages need it. */
export interface Viewer {
  username: string;
  admin: boolean;
  csrf: string;
}

export function CsrfField(props: { viewer: Viewer }): Html {
  return <input type="hidden" name="_csrf" value={props.viewer.csrf} />;
}

function Navigation(props: { viewer: Viewer }): Html {
  const { viewer } = props;
  return (
    <nav aria-label="Main">
      <a href="/console/tokens" class="brand">
        Tessera
      </a>
      <ul>
        <li>
          <a href="/console/tokens">Tokens</a>
        </li>
        <li>
          <a href="/console/sessions">Sessions</a>
        </li>
        {viewer.admin && (
          <>
            <li>
              <a href="/console/admin">Overview</a>
            </li>
            <li>
              <a href="/console/admin/tokens">All tokens</a>
            </li>
            <li>
              <a href="/console/admin/users">Users</a>
            </li>
            <li>
              <a href="/console/admin/federation">Federation</a>
            </li>
            <li>
              <a href="/console/admin/webhooks">Webhooks</a>
            </li>
          </>
        )}
      </ul>
      <form method="post" action="/console/sign-out" class="inline">
        <CsrfField viewer={viewer} />
        <span class="who">{viewer.username}</span> <button type="submit">Sign out</button>
      </form>
    </nav>
  );
}

export function Layout(props: { title: string; viewer: Viewer | null; children?: Child }): Html {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title} · Tessera</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        <script src="/console/assets/console.js" defer></script>
      </head>
      <body>
        <header>
          {props.viewer ? <Navigation viewer={props.viewer} /> : <span class="brand">Tessera</span>}
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}

/** Errors summarised at the top of a form (GOV.UK pattern), each naming its field. */
export function ErrorSummary(props: { errors: string[] }): Html {
  if (props.errors.length === 0) return <></>;
  return (
    <div role="alert" class="error-summary">
      <h2>There is a problem</h2>
      <ul>
        {props.errors.map((error) => (
          <li>{error}</li>
        ))}
      </ul>
    </div>
  );
}

/** A wide table's scroll box: focusable and named, so keyboard users can scroll it at 360 px. */
export function TableWrap(props: { label: string; children?: Child }): Html {
  return (
    <section class="table-wrap" aria-label={props.label} tabindex="0">
      {props.children}
    </section>
  );
}
