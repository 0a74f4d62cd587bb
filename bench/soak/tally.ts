/** What the soak counts: answers per operation and status, and the ones it did not expect. */
import type { Answer } from './client.js';

export const is =
  (...statuses: number[]) =>
  (status: number) =>
    statuses.includes(status);

export class Tally {
  readonly counts = new Map<string, number>();
  requests = 0;
  /** 5xx answers, and requests that got no answer at all. */
  serverErrors = 0;
  unexpected4xx = 0;
  /** The first 20 unexpected answers, for the report. */
  readonly surprises: string[] = [];

  record(operation: string, answer: Answer, expected: (status: number) => boolean): void {
    this.requests++;
    const key = `${operation} ${answer.status || 'no answer'}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (expected(answer.status)) return;
    if (answer.status >= 500 || answer.status === 0) this.serverErrors++;
    else this.unexpected4xx++;
    this.surprise(`${key}: ${JSON.stringify(answer.body).slice(0, 200)}`);
  }

  /** Something wrong that is not an answer (the server exiting, say); counts as a server error. */
  fail(what: string): void {
    this.serverErrors++;
    this.surprise(what);
  }

  private surprise(what: string): void {
    if (this.surprises.length < 20) this.surprises.push(what);
  }
}
