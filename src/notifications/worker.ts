/**
 * Sends due email notices over SMTP (nodemailer; STARTTLS when the server offers it, implicit TLS
 * for `smtps://`), on every instance, every `pollIntervalMs`. A failed send (SMTP down, refused)
 * is retried with the webhooks' backoff and logged; a notice waits in the outbox for as long as
 * nothing can receive it, up to `maxAttempts`.
 */
import { createTransport, type Transporter } from 'nodemailer';
import type { Clock } from '../clock.js';
import type { EmailSettings } from '../config.js';
import type { Database } from '../db/queryable.js';
import type { Logger } from '../logger.js';
import { retryDelaySeconds } from '../webhooks/backoff.js';
import { type ClaimedEmail, claimEmails, markEmailFailed, markEmailSent } from './outbox.js';
import { renderEmail } from './render.js';

export interface EmailWorkerDeps {
  db: Database;
  clock: Clock;
  settings: EmailSettings;
  issuer: string;
  logger: Logger;
}

const SEND_TIMEOUT_MS = 20_000;
const LEASE_SECONDS = SEND_TIMEOUT_MS / 1000 + 30;
const BATCH = 20;

/** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://...` (implicit TLS), with timeouts. */
function smtpOptions(smtpUrl: string) {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    auth: user ? { user, pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: SEND_TIMEOUT_MS,
    greetingTimeout: SEND_TIMEOUT_MS,
    socketTimeout: SEND_TIMEOUT_MS,
  };
}

export class EmailWorker {
  readonly #transport: Transporter;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = false;

  constructor(private readonly deps: EmailWorkerDeps) {
    this.#transport = createTransport(smtpOptions(deps.settings.smtpUrl));
  }

  /** One poll: claims due notices, sends them, records each result; resolves to the number tried. */
  sendDue(): Promise<number> {
    this.#running ??= this.#poll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #poll(): Promise<number> {
    const claimed = await claimEmails(this.deps.db, this.deps.clock(), LEASE_SECONDS, BATCH);
    for (const email of claimed) await this.#send(email);
    return claimed.length;
  }

  async #send(email: ClaimedEmail): Promise<void> {
    const { db, clock, settings, logger } = this.deps;
    const notice = email.payload;
    const message = renderEmail(notice, this.deps.issuer);
    try {
      await this.#transport.sendMail({
        from: settings.from,
        to: notice.recipient,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: `<${email.event_id}@tessera>`,
      });
      await markEmailSent(db, email.id, clock());
      logger.info({ emailId: email.id, kind: notice.kind, tokenId: notice.tokenId }, 'email notice sent');
    } catch (err) {
      const at = clock();
      const exhausted = email.attempts >= settings.maxAttempts;
      const delay = retryDelaySeconds(
        email.attempts,
        settings.backoffBaseSeconds,
        settings.backoffCapSeconds,
      );
      const retryAt = exhausted ? null : new Date(at.getTime() + delay * 1000);
      const error = (err as Error).message ?? String(err);
      await markEmailFailed(db, email.id, { at, retryAt, error });
      logger.warn(
        { emailId: email.id, kind: notice.kind, attempt: email.attempts, gaveUp: exhausted, error },
        'email notice failed',
      );
    }
  }

  start(): void {
    const tick = () => {
      this.sendDue()
        .catch((err) => this.deps.logger.error({ err }, 'email notice poll failed'))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.deps.settings.pollIntervalMs).unref();
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => {});
    this.#transport.close();
  }
}
