/**
 * A tiny JSX runtime that renders to HTML strings (classic `h` factory, compiled by tsc and swc).
 * Text and attribute values are escaped by default: the only way to emit raw markup is an
 * `Html` value, which only this module and its callers' own elements produce.
 *
 * Wiring: tsconfig `jsx: react` with `jsxFactory: h` (tsc), the same pragma for swc in
 * jest.config.js, and a Biome override for the `.tsx` files under `src/console` (Biome cannot see that `h`
 * is used by the JSX, so it would remove the import).
 */

/** Markup that is already safe: the result of rendering an element. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Child = Html | string | number | boolean | null | undefined | Child[];
type Props = Record<string, unknown> & { children?: Child };
type Component<P> = (props: P) => Html;

const VOID_ELEMENTS = new Set(['area', 'br', 'col', 'hr', 'img', 'input', 'link', 'meta', 'source', 'wbr']);
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

function renderChild(child: Child): string {
  if (child instanceof Html) return child.value;
  if (Array.isArray(child)) return child.map(renderChild).join('');
  if (child === null || child === undefined || typeof child === 'boolean') return '';
  return escapeHtml(String(child));
}

/** Attribute names are fixed by the source; `className` is written `class` as in HTML. */
function renderAttributes(props: Props | null): string {
  if (!props) return '';
  let out = '';
  for (const [name, value] of Object.entries(props)) {
    if (name === 'children' || value === false || value === null || value === undefined) continue;
    const attribute = name === 'className' ? 'class' : name;
    out += value === true ? ` ${attribute}` : ` ${attribute}="${escapeHtml(String(value))}"`;
  }
  return out;
}

export function h<P extends Props>(tag: string | Component<P>, props: P | null, ...children: Child[]): Html {
  if (typeof tag === 'function') {
    const given = children.length === 0 ? props?.children : children.length === 1 ? children[0] : children;
    return tag({ ...(props ?? {}), children: given } as P);
  }
  const open = `<${tag}${renderAttributes(props)}>`;
  if (VOID_ELEMENTS.has(tag)) return new Html(open);
  return new Html(`${open}${renderChild(children)}</${tag}>`);
}

export function Fragment(props: { children?: Child }): Html {
  return new Html(renderChild(props.children));
}

/** A whole document. */
export function renderDocument(page: Html): string {
  return `<!DOCTYPE html>\n${page.value}`;
}

export declare namespace h {
  namespace JSX {
    type Element = Html;
    interface ElementChildrenAttribute {
      children: unknown;
    }
    interface IntrinsicElements {
      [tag: string]: Record<string, unknown> & { children?: Child };
    }
  }
}
