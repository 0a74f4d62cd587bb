/**
 * PostgreSQL text cannot hold U+0000 (SQLSTATE 22P05/22021): a NUL anywhere in parsed input is
 * refused at the edge, naming where, rather than failing a statement halfway through a change.
 */
import { invalidRequest } from '../errors.js';

/** Rejects any string (key or value) holding U+0000. Iterative, so deep nesting cannot overflow the stack. */
export function assertNoNul(input: unknown, root = '(body)'): void {
  const stack: Array<{ value: unknown; path: string }> = [{ value: input, path: root }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: string };
    if (typeof value === 'string') {
      if (value.includes('\u0000'))
        throw invalidRequest([{ field: path, message: 'must not contain NUL characters' }]);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        const at = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
        if (key.includes('\u0000'))
          throw invalidRequest([{ field: path, message: 'keys must not contain NUL characters' }]);
        stack.push({ value: item, path: at });
      }
    }
  }
}
