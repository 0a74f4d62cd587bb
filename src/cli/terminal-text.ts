/**
 * What the CLI lets reach a terminal. Token names, usernames, reasons and user agents come from
 * the server, and so from other people: a name holding `ESC ] 52 ; c ; ...` (OSC 52) would write
 * to the clipboard of the administrator who lists it, `ESC [ 1 A` or a carriage return would
 * overwrite the line above, and a bidi override would show a name backwards.
 *
 * Every such character is written as its JSON escape (`\u001b`, `\u0085`) instead: visible to a
 * person, and the same value to a JSON parser. `JSON.stringify` already escapes C0 but leaves C1
 * (U+0080-U+009F), DEL and bidi controls raw; escaped here, `--json` output stays valid JSON
 * with the same parsed values.
 */

/**
 * C0 (but newline), DEL, C1, the bidi embedding/override/isolate marks and the Unicode line and
 * paragraph separators.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above
const UNSAFE_OR_NEWLINE = /[\n\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const jsonEscape = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Whole output (lines of tables, JSON documents, messages): newlines are the CLI's own. */
export const terminalSafe = (text: string) => text.replace(UNSAFE, jsonEscape);

/** One value inside a line (a table cell, a field): a newline in it would fake another line. */
export const cellSafe = (text: string) => text.replace(UNSAFE_OR_NEWLINE, jsonEscape);
