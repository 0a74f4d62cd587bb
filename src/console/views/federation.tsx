/** The admin *Federation* page: trust policies and recent refused federated exchanges. */
import type { z } from 'zod';
import type { federationRefusalSchema } from '../../api/response-schemas.js';
import type { TrustPolicy } from '../../federation/policy.js';
import { type Html, h } from '../jsx.js';
import { Layout, TableWrap, type Viewer } from './layout.js';
import { When } from './time.js';

type RefusalView = z.output<typeof federationRefusalSchema>;

function PolicyTable(props: { policies: TrustPolicy[] }): Html {
  return (
    <TableWrap label="Trust policies">
      <table>
        <caption>Trust policies</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Issuer</th>
            <th scope="col">Audience</th>
            <th scope="col">Subject</th>
            <th scope="col">Claims</th>
            <th scope="col">Scopes</th>
          </tr>
        </thead>
        <tbody>
          {props.policies.map((p) => (
            <tr>
              <th scope="row">
                <a href={`/console/admin/trust-policies/${p.id}`}>{p.name}</a>
              </th>
              <td>{p.issuer}</td>
              <td>{p.audience}</td>
              <td>{p.subject ?? '-'}</td>
              <td>
                {Object.entries(p.claims)
                  .map(([name, values]) => `${name} = ${values.join(' | ')}`)
                  .join('; ') || '-'}
              </td>
              <td>{p.scopes.join(' ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function Differing(props: { refusal: RefusalView }): Html {
  const closest = props.refusal.closest_policy;
  if (!closest) return <span class="muted">-</span>;
  return (
    <span>
      <code>{closest.claim}</code>: expected <code>{closest.expected ?? '-'}</code>, got{' '}
      <code>{closest.got ?? '(absent)'}</code> (policy {closest.name ?? closest.id})
    </span>
  );
}

function RefusalTable(props: { refusals: RefusalView[]; now: Date }): Html {
  return (
    <TableWrap label="Recent refusals">
      <table>
        <caption>Recent refusals</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Count</th>
            <th scope="col">Reason</th>
            <th scope="col">Issuer</th>
            <th scope="col">Subject</th>
            <th scope="col">Audience</th>
            <th scope="col">Closest policy: differing claim</th>
          </tr>
        </thead>
        <tbody>
          {props.refusals.map((r) => (
            <tr>
              <td>
                <When at={r.time} now={props.now} />
              </td>
              <td>{String(r.count)}</td>
              <td>
                <code>{r.reason}</code>
              </td>
              <td>{r.iss}</td>
              <td>{r.sub ?? '-'}</td>
              <td>{r.aud ?? '-'}</td>
              <td>
                <Differing refusal={r} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function federationPage(props: {
  viewer: Viewer;
  policies: TrustPolicy[];
  refusals: RefusalView[];
  now: Date;
}): Html {
  return (
    <Layout title="Federation" viewer={props.viewer}>
      <div class="title-row">
        <h1>Federation</h1>
        <a href="/console/admin/trust-policies/new" class="button">
          New trust policy
        </a>
      </div>
      <p>
        Each policy's page shows its events: its changes and the exchanges it decided. Manage them under{' '}
        <a href="/console/admin/trust-policies">Trust policies</a>.
      </p>
      <PolicyTable policies={props.policies} />
      <h2>Recent refusals</h2>
      <p>
        Refused exchanges of external tokens. The client is always told only that its token was refused; the
        reason is here. Identical refusals within a minute are counted on one row.
      </p>
      {props.refusals.length === 0 ? (
        <p>No refusals.</p>
      ) : (
        <RefusalTable refusals={props.refusals} now={props.now} />
      )}
    </Layout>
  );
}
