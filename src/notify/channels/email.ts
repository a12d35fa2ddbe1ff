import { readFileSync } from 'node:fs';
import type { Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { z } from 'zod';
import { DeliveryError, type Channel } from '../channel.js';
import { mailbox, timeoutMs } from '../config-fields.js';
import { section, text } from '../../schema/fields.js';
import { SecretScrubber, smtpLoginSecrets } from '../secrets.js';

/** How much of a server's reply an error quotes. */
const SMTP_REASON_CHARS = 300;
/** SMTP ports: 465 speaks TLS from the first byte (`secure`), 587 upgrades with STARTTLS. */
const SMTP_PORTS = { implicitTls: 465, submission: 587 } as const;

/**
 * Failures that no retry fixes when the server gave no reply code: rejected or missing credentials, a bad
 * configuration, no valid recipient, no TLS where TLS is required.
 */
const PERMANENT_ERROR_CODES = new Set(['EAUTH', 'ENOAUTH', 'ECONFIG', 'EENVELOPE', 'ETLS', 'EREQUIRETLS']);

/** The password in `passFile`: its first line. Errors name the path, never what the file holds. */
function readPassFile(path: string): { value: string } | { problem: string } {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    return { problem: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}` };
  }
  const value = content.split(/\r?\n/, 1)[0] ?? '';
  return value === '' ? { problem: `${path} is empty` } : { value };
}

const smtpSchema = section({
  host: text,
  port: z.number().int().min(1).max(65_535).optional(),
  /** TLS from the start; defaults to true exactly when the port is 465. */
  secure: z.boolean().optional(),
  user: text.optional(),
  pass: text.optional(),
  /**
   * A file holding the password (one line), e.g. `${CREDENTIALS_DIRECTORY}/smtp-pass` under systemd's
   * LoadCredential=; read once when the config is loaded. Its content never appears in a message.
   */
  passFile: text.optional(),
  /** Refuse to go on without STARTTLS; defaults to true when a password would otherwise cross the network in clear. */
  requireTLS: z.boolean().optional(),
})
  .refine((smtp) => smtp.pass === undefined || smtp.passFile === undefined, { error: 'set pass or passFile, not both' })
  .transform(({ passFile, ...smtp }, ctx) => {
    if (passFile === undefined) return smtp;
    const pass = readPassFile(passFile);
    if ('problem' in pass) {
      ctx.addIssue({ code: 'custom', path: ['passFile'], input: passFile, message: pass.problem });
      return z.NEVER;
    }
    return { ...smtp, pass: pass.value };
  })
  .refine((smtp) => (smtp.user === undefined) === (smtp.pass === undefined), {
    error: 'set both user and pass (or passFile), or neither',
  })
  .transform(({ port, secure, requireTLS, ...smtp }) => {
    const tls = secure ?? port === SMTP_PORTS.implicitTls;
    return {
      ...smtp,
      secure: tls,
      port: port ?? (tls ? SMTP_PORTS.implicitTls : SMTP_PORTS.submission),
      requireTLS: requireTLS ?? (!tls && smtp.pass !== undefined),
    };
  });

const configSchema = section({
  type: z.literal('email'),
  smtp: smtpSchema,
  /** `alerts@example.com` or `"compshare-watch" <alerts@example.com>` */
  from: mailbox,
  to: z.array(mailbox).min(1),
  timeoutMs,
});

/**
 * SMTP through a pooled nodemailer transport: text and HTML bodies, and a Message-ID made from the delivery id so
 * that a redelivered alert is the same message to the mail system (threads, duplicate suppression).
 */
export const emailChannel = {
  type: 'email',
  configSchema,
  create(name, config, deps) {
    const { smtp } = config;
    // nodemailer is loaded, and the pool made, on the first send: commands that never mail start faster.
    let transport: Promise<Transporter<SMTPPool.SentMessageInfo>> | undefined;
    const pool = () =>
      (transport ??= import('nodemailer').then(({ createTransport }) =>
        createTransport({
          pool: true,
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure,
          requireTLS: smtp.requireTLS,
          auth: smtp.user === undefined ? undefined : { user: smtp.user, pass: smtp.pass },
          connectionTimeout: config.timeoutMs,
          greetingTimeout: config.timeoutMs,
          socketTimeout: config.timeoutMs,
        }),
      ));
    const server = `${smtp.host}:${smtp.port}`;
    const scrubber = new SecretScrubber(smtp.user === undefined || smtp.pass === undefined ? [] : smtpLoginSecrets(smtp.user, smtp.pass));
    return {
      name,
      type: 'email',
      async send({ message, deliveryId }) {
        let info;
        try {
          info = await (await pool()).sendMail({
            from: config.from,
            to: config.to,
            subject: message.title,
            text: message.text,
            html: message.html,
            messageId: messageIdFor(deliveryId),
          });
        } catch (error) {
          throw smtpFailure(error, server, scrubber);
        }
        // Some recipients took it: a redelivery would reach them twice, so the rest are only reported.
        if (info.rejected.length > 0) {
          deps.log.warn({ channel: name, rejected: info.rejected.map(String) }, 'SMTP server refused some recipients');
        }
      },
      async close() {
        if (transport) (await transport).close();
      },
    };
  },
} satisfies Channel<typeof configSchema>;

/**
 * `<deliveryId@compshare-watch>`, with any character a Message-ID may not hold (`:` in event ids, for one)
 * percent-encoded, so distinct delivery ids stay distinct.
 */
export function messageIdFor(deliveryId: string): string {
  const local = deliveryId.replace(/[^A-Za-z0-9!#$&'*+\-/=?^_`{|}~.]/g, (char) =>
    [...Buffer.from(char)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
  return `<${local}@compshare-watch>`;
}

/** A reply code decides when there is one (RFC 5321: 5yz permanent, 4yz transient); else nodemailer's error code. */
function smtpFailure(error: unknown, server: string, scrubber: SecretScrubber): DeliveryError {
  const { code, responseCode, response } = error as { code?: unknown; responseCode?: unknown; response?: unknown };
  // 503 is "bad sequence of commands": the session was confused, a fresh connection can succeed.
  const permanent =
    typeof responseCode === 'number'
      ? responseCode >= 500 && responseCode !== 503
      : typeof code === 'string' && PERMANENT_ERROR_CODES.has(code);
  const reason = typeof response === 'string' ? response : error instanceof Error ? error.message : String(error);
  const label = typeof code === 'string' ? `${code} ` : '';
  // The server's own words for a refused STARTTLS ("500 command not recognized") do not say what to change.
  const hint = code === 'ETLS' ? ' (the server offers no STARTTLS; use secure: true, or requireTLS: false for a trusted local relay)' : '';
  return new DeliveryError(`SMTP ${server}: ${label}${scrubber.farEndText(reason, SMTP_REASON_CHARS)}${hint}`, permanent);
}
