/**
 * What a person can do with one token, on its page: the result of the last action (role=status),
 * Rotate, Revoke, Restore and Delete where they apply, and who may act with it (`may_act`) and
 * whether its exchanges need a DPoP proof.
 */

import { Fragment, type Html, h } from '../jsx.js';
import { mayActLabel } from '../may-act-form.js';
import { CsrfField, ErrorSummary, type Viewer } from './layout.js';
import type { PresentedPat } from './token-table.js';

/** The result of an action, announced politely to screen readers (WAI-ARIA `status`). */
export const DONE = {
  created: 'Token created.',
  revoked: 'Token revoked. Exchanges with it fail from now on.',
  restored: 'Token restored. It works again.',
  deleted: 'Token deleted. Its history stays in the audit trail.',
  saved: 'Settings saved.',
  rotated: 'Token rotated. The old secret stopped working.',
} as const;
export type Done = keyof typeof DONE;

export function DoneMessage(props: { done: Done | undefined }): Html {
  if (!props.done) return <></>;
  return (
    <p role="status" class="notice">
      {DONE[props.done]}
    </p>
  );
}

/** A GET form to the confirmation step, or a POST for the one action that needs none (restore). */
function Action(props: { href: string; verb: string; danger?: boolean; post?: Viewer }): Html {
  return (
    <form method={props.post ? 'post' : 'get'} action={props.href} class="inline">
      {props.post && <CsrfField viewer={props.post} />}
      <button type="submit" class={props.danger ? 'danger' : 'secondary'}>
        {props.verb}
      </button>
    </form>
  );
}

export interface ManageProps {
  viewer: Viewer;
  pat: PresentedPat;
  base: string;
  admin: boolean;
  /** The token a rotation replaced this one with, when it still exists. */
  successor: { id: string; name: string } | null;
  /** Why Restore is not offered for a revoked token (pat/revocation.ts), or null. */
  restoreRefusal: string | null;
}

export function Manage(props: ManageProps): Html {
  const { pat, base } = props;
  const at = `${base}/${pat.id}`;
  const active = pat.status === 'active';
  const replaced = pat.revocation_kind === 'rotation';
  return (
    <section aria-labelledby="manage-heading">
      <h2 id="manage-heading">Manage</h2>
      {replaced && (
        <p class="notice">
          {props.successor ? (
            <>
              Replaced by <a href={`${base}/${props.successor.id}`}>{props.successor.name}</a> when it was
              rotated.
            </>
          ) : (
            'Replaced by a newer token when it was rotated.'
          )}
        </p>
      )}
      <p class="actions">
        {active && !props.admin && <Action href={`${at}/rotate`} verb="Rotate" />}{' '}
        {active && <Action href={`${at}/revoke`} verb="Revoke" danger />}{' '}
        {pat.status === 'revoked' && !props.restoreRefusal && !props.admin && (
          <Action href={`${at}/restore`} verb="Restore" post={props.viewer} />
        )}{' '}
        {!active && !props.admin && <Action href={`${at}/delete`} verb="Delete" danger />}
      </p>
      {pat.status === 'revoked' && props.restoreRefusal && !replaced && (
        <p class="muted">Cannot be restored: {props.restoreRefusal}.</p>
      )}
    </section>
  );
}

export interface SettingsFormProps {
  viewer: Viewer;
  action: string;
  errors: string[];
  values: { may_act: string; require_dpop: boolean };
}

/**
 * The `may_act` field, shared with the new-token form (`owner`: whose token, on an admin's form
 * for a service account); its errors are repeated beside it.
 */
export function MayActField(props: { text: string; errors: string[]; owner?: string | undefined }): Html {
  const label = mayActLabel(props.owner);
  const prefix = `${label}: `;
  const errors = props.errors.filter((e) => e.startsWith(prefix) || e.startsWith('may_act'));
  const describedBy = errors.length ? 'may_act-hint may_act-error' : 'may_act-hint';
  return (
    <>
      <label for="may_act">{label}</label>
      <p class="hint" id="may_act-hint">
        Optional. Who may exchange this token together with their own credential, acting for{' '}
        {props.owner ?? 'you'} (RFC 8693 delegation): one per line, a username or trust:POLICY-NAME,
        optionally followed by "= scopes" to give that actor fewer scopes, for example "deploy-bot =
        repo:read". Leave empty for nobody.
      </p>
      {errors.length > 0 && (
        <ul class="field-error" id="may_act-error">
          {errors.map((e) => (
            <li>{e.startsWith(prefix) ? e.slice(prefix.length) : e}</li>
          ))}
        </ul>
      )}
      <textarea
        id="may_act"
        name="may_act"
        rows="3"
        maxlength="4000"
        aria-describedby={describedBy}
        aria-invalid={errors.length ? 'true' : undefined}
      >
        {props.text}
      </textarea>
    </>
  );
}

export function RequireDpopField(props: { checked: boolean }): Html {
  return (
    <div class="check">
      <input
        type="checkbox"
        id="require_dpop"
        name="require_dpop"
        value="on"
        checked={props.checked}
        aria-describedby="require_dpop-hint"
      />
      <label for="require_dpop">Require DPoP</label>
      <span class="hint" id="require_dpop-hint">
        Exchanges of this token must prove possession of a key (RFC 9449): a copy of the token alone is
        useless.
      </span>
    </div>
  );
}

export function SettingsForm(props: SettingsFormProps): Html {
  return (
    <section aria-labelledby="delegation-heading">
      <h2 id="delegation-heading">Delegation and proof of possession</h2>
      <ErrorSummary errors={props.errors} />
      <form method="post" action={props.action} class="card">
        <CsrfField viewer={props.viewer} />
        <MayActField text={props.values.may_act} errors={props.errors} />
        <RequireDpopField checked={props.values.require_dpop} />
        <button type="submit">Save settings</button>
      </form>
    </section>
  );
}
