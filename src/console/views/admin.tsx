/** Admin pages: the figures, and everyone's tokens with filters. */
import type { PatStats } from '../../pat/stats.js';
import { type Html, h } from '../jsx.js';
import { Layout, type Viewer } from './layout.js';
import { type PresentedPat, TokenTable } from './token-table.js';
import { NextPage, StatusFilter } from './tokens.js';

/** Each figure is named by its caption, so "Active tokens" labels the number. */
function Figure(props: { id: string; label: string; value: number }): Html {
  return (
    <figure aria-labelledby={`figure-${props.id}`}>
      <figcaption id={`figure-${props.id}`}>{props.label}</figcaption>
      <p data-figure={props.id}>{props.value}</p>
    </figure>
  );
}

export function overviewPage(props: { viewer: Viewer; stats: PatStats }): Html {
  const s = props.stats;
  return (
    <Layout title="Overview" viewer={props.viewer}>
      <h1>Overview</h1>
      <div class="figures">
        <Figure id="active_pats" label="Active tokens" value={s.active_pats} />
        <Figure id="users_with_active_pats" label="Users with tokens" value={s.users_with_active_pats} />
        <Figure id="never_used_pats" label="Never used" value={s.never_used_pats} />
        <Figure id="expiring_within_7_days" label="Expiring within 7 days" value={s.expiring_within_7_days} />
        <Figure id="exchanges_24h_granted" label="Exchanges granted (24 h)" value={s.exchanges_24h_granted} />
        <Figure id="exchanges_24h_denied" label="Exchanges denied (24 h)" value={s.exchanges_24h_denied} />
      </div>
      <p>
        <a href="/console/admin/tokens">All tokens</a> ·{' '}
        <a href="/console/admin/tokens?never_used=true">Never used</a> ·{' '}
        <a href="/console/admin/users">Users</a>
      </p>
    </Layout>
  );
}

export interface AdminTokenFilters {
  user?: string | undefined;
  status?: string | undefined;
  expiring_within_days?: number | undefined;
  never_used?: boolean | undefined;
}

export function adminTokensPage(props: {
  viewer: Viewer;
  pats: PresentedPat[];
  owners: Map<string, string>;
  filters: AdminTokenFilters;
  query: Record<string, string>;
  nextCursor: string | null;
  now: Date;
}): Html {
  const f = props.filters;
  return (
    <Layout title="All tokens" viewer={props.viewer}>
      <h1>All tokens</h1>
      <StatusFilter action="/console/admin/tokens" status={f.status}>
        <div>
          <label for="user">User</label>
          <input id="user" name="user" value={f.user ?? ''} />
        </div>
        <div>
          <label for="expiring">Expiring within (days)</label>
          <input
            id="expiring"
            name="expiring_within_days"
            type="number"
            min="0"
            value={f.expiring_within_days ?? ''}
          />
        </div>
        <div class="check">
          <input
            type="checkbox"
            id="never-used"
            name="never_used"
            value="true"
            checked={f.never_used === true}
          />
          <label for="never-used">Never used</label>
        </div>
      </StatusFilter>
      <TokenTable pats={props.pats} now={props.now} viewer={props.viewer} owners={props.owners} />
      <NextPage path="/console/admin/tokens" query={props.query} cursor={props.nextCursor} />
    </Layout>
  );
}
