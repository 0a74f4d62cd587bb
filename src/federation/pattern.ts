/**
 * Subject and claim patterns of trust policies: `*` matches any run of characters (the empty one
 * too) and nothing else is special; a pattern matches the whole value, never a part of it.
 * Matched without regular expressions, so no character of a pattern can widen it and no
 * pattern can backtrack for long: `acme/api/*` never matches `acme/api-evil`, `repo:a.b` never
 * `repo:aXb`.
 */

export const WILDCARD = '*';

/** Whether `value` is `pattern`, with every `*` standing for any run of characters. */
export function matchesPattern(pattern: string, value: string): boolean {
  const parts = pattern.split(WILDCARD);
  if (parts.length === 1) return pattern === value;
  const first = parts[0] as string;
  const last = parts.at(-1) as string;
  // The fixed head and tail must fit without overlapping.
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  // Each middle part is taken at its leftmost place: the greedy choice never loses a match.
  let at = first.length;
  const end = value.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = value.indexOf(part, at);
    if (found === -1 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/** A claim value as text, when it is one a pattern can compare (strings, numbers, booleans). */
export function claimText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
