import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  decodeCursor,
  decodeTrailCursor,
  encodeCursor,
  encodeTrailCursor,
  toPage,
} from '../../../src/db/keyset.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('encodeCursor / decodeCursor', () => {
  it('round-trips a position with millisecond precision', () => {
    for (const iso of ['2025-03-10T12:34:56.789Z', '2025-03-10T12:34:56.001Z', '1999-12-31T23:59:59.999Z']) {
      const position = { createdAt: new Date(iso), id: randomUUID() };
      const decoded = decodeCursor(encodeCursor(position));
      expect(decoded).not.toBeNull();
      expect(decoded?.createdAt.getTime()).toBe(position.createdAt.getTime());
      expect(decoded?.createdAt.toISOString()).toBe(iso);
      expect(decoded?.id).toBe(position.id);
    }
  });

  it('round-trips the current time', () => {
    const position = { createdAt: new Date(), id: randomUUID() };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it('is URL-safe and opaque', () => {
    const cursor = encodeCursor({ createdAt: new Date('2025-03-10T12:34:56.789Z'), id: randomUUID() });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(cursor)).toBe(cursor);
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not-a-cursor'],
    ['non-base64', '!!!***###'],
    ['base64 of non-JSON', Buffer.from('hello world').toString('base64url')],
    ['JSON null', b64(null)],
    ['JSON array', b64(['2025-03-10T12:34:56.789Z', '00000000-0000-4000-8000-000000000000'])],
    ['JSON number', b64(42)],
    ['missing id', b64({ t: '2025-03-10T12:34:56.789Z' })],
    ['missing time', b64({ id: randomUUID() })],
    ['id not a UUID', b64({ t: '2025-03-10T12:34:56.789Z', id: "x' OR 1=1 --" })],
    ['time not a date', b64({ t: 'yesterday', id: randomUUID() })],
    ['time as a number', b64({ t: 1741610096789, id: randomUUID() })],
    ['impossible date', b64({ t: '2025-02-30T00:00:00.000Z', id: randomUUID() })],
    ['extra field', b64({ t: '2025-03-10T12:34:56.789Z', id: randomUUID(), admin: true })],
  ])('returns null for a %s cursor', (_label, cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });

  it('returns null for a truncated or tampered cursor', () => {
    const cursor = encodeCursor({ createdAt: new Date('2025-03-10T12:34:56.789Z'), id: randomUUID() });
    expect(decodeCursor(cursor.slice(0, -4))).toBeNull();
    expect(decodeCursor(cursor.slice(4))).toBeNull();
    expect(decodeCursor(`${cursor}AAAA`)).toBeNull();
    // Flipping a character inside the JSON syntax (the opening `{"t":"`) breaks it.
    expect(decodeCursor(`A${cursor.slice(1)}`)).toBeNull();
  });

  it('never throws, whatever the input', () => {
    for (const input of ['%', '\u0000', 'a'.repeat(10_000), '====', '-_-_']) {
      expect(() => decodeCursor(input)).not.toThrow();
      expect(decodeCursor(input)).toBeNull();
    }
  });
});

describe('toPage', () => {
  const rows = Array.from({ length: 5 }, (_, i) => ({
    id: randomUUID(),
    created_at: new Date(Date.UTC(2025, 0, 10 - i, 12, 0, 0, i)),
    name: `row-${i}`,
  }));
  const present = (row: { name: string }) => row.name;

  it('gives a next_cursor naming the last item of the page when there are more rows', () => {
    const page = toPage(rows.slice(0, 4), 3, present);
    expect(page.items).toEqual(['row-0', 'row-1', 'row-2']);
    expect(page.next_cursor).not.toBeNull();
    const position = decodeCursor(page.next_cursor as string);
    expect(position).toEqual({ createdAt: rows[2]?.created_at, id: rows[2]?.id });
  });

  it('gives no next_cursor when the rows fit the page exactly', () => {
    const page = toPage(rows.slice(0, 3), 3, present);
    expect(page).toEqual({ items: ['row-0', 'row-1', 'row-2'], next_cursor: null });
  });

  it('gives no next_cursor for a short page or no rows', () => {
    expect(toPage(rows.slice(0, 2), 3, present)).toEqual({ items: ['row-0', 'row-1'], next_cursor: null });
    expect(toPage([], 3, present)).toEqual({ items: [], next_cursor: null });
  });

  it('works with a page size of one', () => {
    const page = toPage(rows, 1, present);
    expect(page.items).toEqual(['row-0']);
    expect(decodeCursor(page.next_cursor as string)?.id).toBe(rows[0]?.id);
  });

  it('presents each row of the page exactly once, in order', () => {
    const seen: string[] = [];
    toPage(rows, 4, (row) => {
      seen.push(row.name);
      return row.id;
    });
    expect(seen).toEqual(['row-0', 'row-1', 'row-2', 'row-3']);
  });
});

describe('decodeTrailCursor', () => {
  const trail = (text: string) => Buffer.from(text).toString('base64url');

  it('round-trips a position', () => {
    const at = new Date('2025-03-10T12:34:56.789Z');
    expect(decodeTrailCursor(encodeTrailCursor({ occurred_at: at, id: 42n }))).toEqual({ at, id: 42n });
  });

  it.each([
    ['year 10000', `${Date.UTC(10000, 0, 1)}.1`],
    ['the last JS instant', `${8_640_000_000_000_000 - 1}.1`],
    ['beyond any JS instant', '999999999999999.1'],
    ['an id beyond bigint', '1.9223372036854775808'],
    ['no id', '1741610096789'],
  ])('returns null for %s', (_label, text) => {
    expect(decodeTrailCursor(trail(text))).toBeNull();
  });

  it('accepts the last instant of year 9999 and the first of year 1', () => {
    expect(decodeTrailCursor(trail(`${Date.parse('9999-12-31T23:59:59.999Z')}.1`))).not.toBeNull();
    expect(decodeTrailCursor(trail('0.1'))).not.toBeNull();
  });
});
