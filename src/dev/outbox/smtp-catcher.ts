// An SMTP server inside the process, on a free port of 127.0.0.1, that keeps every message it gets in the
// outbox instead of sending it anywhere: what email is sent to in development with no SMTP_URL. smtp-server
// and mailparser are development dependencies, imported only here.
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../logger.js';
import type { Outbox } from './store.js';

export interface SmtpCatcher {
  /** smtp://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

export async function startSmtpCatcher(outbox: Outbox, logger: Logger): Promise<SmtpCatcher> {
  const [{ SMTPServer }, { simpleParser }] = await Promise.all([import('smtp-server'), import('mailparser')]);
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH'],
    // Or nodemailer would upgrade to TLS, with a certificate nobody trusts.
    hideSTARTTLS: true,
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          const addresses = (value: typeof parsed.from | typeof parsed.to) =>
            (Array.isArray(value) ? value : value ? [value] : []).map((address) => address.text);
          outbox.add({
            kind: 'email',
            from: addresses(parsed.from).join(', '),
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
            subject: parsed.subject ?? '',
            messageId: parsed.messageId,
            text: parsed.text,
            html: typeof parsed.html === 'string' ? parsed.html : undefined,
            headers: parsed.headerLines.map(({ line }) => {
              const colon = line.indexOf(':');
              return { name: line.slice(0, colon), value: line.slice(colon + 1).trim() };
            }),
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  // A client hanging up mid-message must not end the process.
  server.on('error', (error) => logger.debug({ err: error }, 'outbox SMTP session failed'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
