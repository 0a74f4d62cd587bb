/** A clear error page (sign-in failures, refused requests): what happened and where to go next. */
import { type Html, h } from '../jsx.js';
import { Layout, type Viewer } from './layout.js';

export function errorPage(props: {
  status: number;
  title: string;
  detail?: string | undefined;
  viewer: Viewer | null;
}): Html {
  return (
    <Layout title={props.title} viewer={props.viewer}>
      <h1>{props.title}</h1>
      {props.detail && <p>{props.detail}</p>}
      <p>
        <a href={props.viewer ? '/console/tokens' : '/console/sign-in'}>
          {props.viewer ? 'Back to your tokens' : 'Go to sign-in'}
        </a>
      </p>
      <p class="muted">Error {props.status}</p>
    </Layout>
  );
}
