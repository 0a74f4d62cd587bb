/**
 * Labelled form fields with their errors beside them, and the summary at the top that links to
 * each (GOV.UK "error summary" pattern): every message is the API's, prefixed by its field.
 */
import type { FieldError } from '../../errors.js';
import { isAbout } from '../field-errors.js';
import { type Child, Fragment, type Html, h } from '../jsx.js';

/** Errors summarised at the top of a form, each a link to the field it is about. */
export function FormErrorSummary(props: { errors: FieldError[]; fields: string[] }): Html {
  if (props.errors.length === 0) return <></>;
  const target = (e: FieldError) => props.fields.find((name) => isAbout(e, name));
  return (
    <div role="alert" class="error-summary">
      <h2>There is a problem</h2>
      <ul>
        {props.errors.map((e) => {
          const text = `${e.field}: ${e.message}`;
          const at = target(e);
          return <li>{at ? <a href={`#${at}`}>{text}</a> : text}</li>;
        })}
      </ul>
    </div>
  );
}

/** The errors about `name`, as a list the field points to with aria-describedby. */
export function FieldErrorList(props: { name: string; errors: FieldError[] }): Html {
  const mine = props.errors.filter((e) => isAbout(e, props.name));
  if (mine.length === 0) return <></>;
  return (
    <ul class="field-error" id={`${props.name}-error`}>
      {mine.map((e) => (
        <li>
          {e.field}: {e.message}
        </li>
      ))}
    </ul>
  );
}

/** The attributes tying a control to its hint and its errors. */
export function described(name: string, errors: FieldError[], hint: boolean) {
  const invalid = errors.some((e) => isAbout(e, name));
  const ids = [hint ? `${name}-hint` : '', invalid ? `${name}-error` : ''].filter(Boolean).join(' ');
  return { 'aria-describedby': ids || undefined, 'aria-invalid': invalid ? 'true' : undefined };
}

export interface FieldProps {
  name: string;
  label: string;
  hint?: string | undefined;
  errors: FieldError[];
  children?: Child;
}

/** Label, hint and errors of one field; the control (its id is `name`) is the child. */
export function Field(props: FieldProps): Html {
  return (
    <div class="field">
      <label for={props.name}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${props.name}-hint`}>
          {props.hint}
        </p>
      )}
      <FieldErrorList name={props.name} errors={props.errors} />
      {props.children}
    </div>
  );
}

/** A checkbox group: a fieldset whose legend names it, with its hint and errors. */
export function CheckGroup(props: {
  name: string;
  legend: string;
  hint?: string;
  options: Array<{ value: string; description?: string }>;
  checked: string[];
  errors: FieldError[];
}): Html {
  return (
    <fieldset id={props.name} {...described(props.name, props.errors, Boolean(props.hint))}>
      <legend>{props.legend}</legend>
      {props.hint && (
        <p class="hint" id={`${props.name}-hint`}>
          {props.hint}
        </p>
      )}
      <FieldErrorList name={props.name} errors={props.errors} />
      {props.options.map((option, i) => (
        <div class="check">
          <input
            type="checkbox"
            id={`${props.name}-${i}`}
            name={props.name}
            value={option.value}
            checked={props.checked.includes(option.value)}
          />
          <label for={`${props.name}-${i}`}>{option.value}</label>
          {option.description && <span class="hint">{option.description}</span>}
        </div>
      ))}
    </fieldset>
  );
}
