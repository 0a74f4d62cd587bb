/**
 * Sends due email notices over SMTP (nodemailer; STARTTLS when the server offers it, implicit TLS
 * for `smtps://`), on every instance, every `pollIntervalMs`, through the shared drain loop
 * (jobs/outbox-drain.ts). A failed send (SMTP down, refused) is retried with backoff and logged;
 * a notice waits in the outbox for as long as nothing can receive it, up to `maxAttempts`.
 */
import { createTransport, type Transporter } from 'nodemailer';
import type { Clock } from '../clock.js';
import type { EmailSettings } from '../config.js';
import type { Database } from '../db/queryable.js';
import { type Outbox, outboxDrain, type SendResult } from '../jobs/outbox-drain.js';
import type { Logger } from '../logger.js';
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

function emailOutbox(deps: EmailWorkerDeps, transport: Transporter): Outbox<ClaimedEmail, SendResult> {
  const { db, settings, logger } = deps;
  return {
    name: 'email notice',
    claim: (now) => claimEmails(db, now, LEASE_SECONDS, BATCH),
    send: async (email) => {
      const notice = email.payload;
      const message = renderEmail(notice, deps.issuer);
      try {
        await transport.sendMail({
          from: settings.from,
          to: notice.recipient,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: `<${email.event_id}@tessera>`,
        });
        return { error: null };
      } catch (err) {
        return { error: (err as Error).message ?? String(err) };
      }
    },
    settle: async (email, result, when) => {
      if (result.error !== null) return markEmailFailed(db, email.id, { ...when, error: result.error });
      await markEmailSent(db, email.id, when.at);
      const notice = email.payload;
      logger.info({ emailId: email.id, kind: notice.kind, tokenId: notice.tokenId }, 'email notice sent');
    },
    describe: (email) => ({ emailId: email.id, kind: email.payload.kind }),
    oneAtATime: true,
  };
}

export class EmailWorker {
  readonly #transport: Transporter;
  readonly #drain;

  constructor(deps: EmailWorkerDeps) {
    this.#transport = createTransport(smtpOptions(deps.settings.smtpUrl));
    this.#drain = outboxDrain(emailOutbox(deps, this.#transport), deps);
  }

  /** One poll now: claims due notices, sends them, records each result; resolves to the number tried. */
  sendDue(): Promise<number> {
    return this.#drain.run();
  }

  start(): void {
    this.#drain.start();
  }

  async stop(): Promise<void> {
    await this.#drain.stop();
    this.#transport.close();
  }
}
