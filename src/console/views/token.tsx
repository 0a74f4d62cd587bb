/** One token: its settings and its audit trail (every exchange and lifecycle change). */
import type { AuditRow } from '../../audit/trail.js';
import type { Names } from '../event-text.js';
import { Fragment, type Html, h } from '../jsx.js';
import type { MayActShown } from '../may-act-form.js';
import { CsrfField, Layout, type Viewer } from './layout.js';
import { When } from './time.js';
import { TokenEvents } from './token-events.js';
import {
  type Done,
  DoneMessage,
  Manage,
  type ManageProps,
  SettingsForm,
  type SettingsFormProps,
} from './token-manage.js';
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

function MayActList(props: { entries: MayActShown[] }): Html {
  if (props.entries.length === 0) return <>nobody</>;
  return (
    <ul class="plain">
      {props.entries.map((e) => (
        <li>
          {e.policy ? `trust policy ${e.name}` : e.name}
          {e.scopes ? ` (${e.scopes.join(' ')})` : ' (all of its scopes)'}
        </li>
      ))}
    </ul>
  );
}

function Settings(props: {
  pat: PresentedPat;
  now: Date;
  owner?: string | undefined;
  mayAct: MayActShown[];
}): Html {
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
      {row('May act for it', <MayActList entries={props.mayAct} />)}
      {row('Requires DPoP', pat.require_dpop ? 'yes: exchanges need a proof of possession' : 'no')}
      {row('Expires', <When at={pat.expires_at} now={props.now} never="never expires" />)}
      {pat.revoked_reason ? row('Revoked because', pat.revoked_reason) : ''}
    </dl>
  );
}

export interface TokenPageProps extends ManageProps {
  events: AuditRow[];
  names: Names;
  /** The cursor of the next (older) page of events, if any. */
  nextCursor: string | null;
  now: Date;
  /** The owner's username, on an administrator's page. */
  owner?: string | undefined;
  back: string;
  done?: Done | undefined;
  mayAct: MayActShown[];
  /** The owner's form for `may_act` and `require_dpop` (absent on an administrator's page). */
  settings?: SettingsFormProps | undefined;
}

export function tokenPage(props: TokenPageProps): Html {
  return (
    <Layout title={`Token ${props.pat.name}`} viewer={props.viewer}>
      <p>
        <a href={props.back}>← Tokens</a>
      </p>
      <h1>{props.pat.name}</h1>
      <DoneMessage done={props.done} />
      <Settings pat={props.pat} now={props.now} owner={props.owner} mayAct={props.mayAct} />
      <Manage {...props} />
      {props.settings && <SettingsForm {...props.settings} />}
      <h2 id="events-heading">Events</h2>
      <TokenEvents events={props.events} names={props.names} base={props.base} owner={props.owner ?? 'you'} />
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
