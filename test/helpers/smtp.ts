import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** An SMTP refusal as the server sends it. */
export type SmtpRefusal = { responseCode: number; message: string } | undefined;

export interface TestSmtpServer {
  port: number;
  /** Messages accepted so far, parsed. */
  messages: ParsedMail[];
  /** Logins tried, with the password given. */
  logins: Array<{ username: string; password: string }>;
  /** Refuse each following message at DATA this way (undefined: accept again). */
  refuseData(refusal: SmtpRefusal): void;
  /** Refuse these recipients at RCPT TO with 550. */
  refuseRecipients(addresses: readonly string[]): void;
  close(): Promise<void>;
}

export interface SmtpServerOptions {
  /** The one account that may log in; without it no login is asked for. */
  account?: { username: string; password: string };
  /** Listen on this port (a restart after an outage); 0 picks one. */
  port?: number;
  /** The text of a refused login; by default it quotes the user name and password, as careless servers do. */
  loginRefusal?: (login: { username: string; password: string }) => string;
}

function smtpError(refusal: { responseCode: number; message: string }): Error {
  return Object.assign(new Error(refusal.message), { responseCode: refusal.responseCode });
}

/** A real SMTP server (smtp-server) on 127.0.0.1 without TLS, parsing what arrives with mailparser. */
export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ParsedMail[] = [];
  const logins: Array<{ username: string; password: string }> = [];
  let dataRefusal: SmtpRefusal;
  let refusedRecipients = new Set<string>();
  const { account } = options;
  const server = new SMTPServer({
    disabledCommands: account === undefined ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: account === undefined,
    logger: false,
    onAuth(auth, _session, callback) {
      const login = { username: auth.username ?? '', password: auth.password ?? '' };
      logins.push(login);
      if (login.username === account?.username && login.password === account.password) {
        callback(null, { user: login.username });
      } else {
        // Some servers quote what they were sent; the channel must not pass that on.
        const message = options.loginRefusal?.(login) ?? `authentication failed for ${login.username}/${login.password}`;
        callback(smtpError({ responseCode: 535, message }));
      }
    },
    onRcptTo(address, _session, callback) {
      if (refusedRecipients.has(address.address)) callback(smtpError({ responseCode: 550, message: 'no such mailbox' }));
      else callback();
    },
    onData(stream, _session, callback) {
      const refusal = dataRefusal;
      simpleParser(stream).then(
        (mail) => {
          if (refusal !== undefined) return callback(smtpError(refusal));
          messages.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    messages,
    logins,
    refuseData: (refusal) => {
      dataRefusal = refusal;
    },
    refuseRecipients: (addresses) => {
      refusedRecipients = new Set(addresses);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
