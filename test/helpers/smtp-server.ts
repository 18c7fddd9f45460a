// A real SMTP server on a free port (smtp-server), whose received messages are parsed with mailparser. It
// can refuse what it gets (a reply code of the test's choosing) or go away and come back on the same port.
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedEmail {
  parsed: ParsedMail;
  /** The header lines as sent (mailparser folds List-* headers into `list`). */
  rawHeaders: string;
  recipients: string[];
}

export interface TestSmtpServer {
  url: string;
  port: number;
  received: ReceivedEmail[];
  /** Answer every message with this reply (e.g. 550), or accept them again (undefined). */
  refuseWith(code: number | undefined): void;
  /** Close the port: connections are refused until `resume`. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

/** The value of a header as the raw lines have it, unfolded. */
export function rawHeader(email: ReceivedEmail, name: string): string | undefined {
  const unfolded = email.rawHeaders.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

export interface SmtpServerOptions {
  /** How long it takes to accept each message once it has it all: sends stay in flight this long. */
  delayMs?: number;
}

export async function startSmtpServer({ delayMs = 0 }: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const received: ReceivedEmail[] = [];
  let refusal: number | undefined;
  let port = 0;
  let server: SMTPServer;

  const listen = async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH'],
      hideSTARTTLS: true,
      closeTimeout: 200,
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (refusal) {
            const error = Object.assign(new Error(refusal >= 500 ? 'Mailbox unavailable' : 'Try again later'), {
              responseCode: refusal,
            });
            return callback(error);
          }
          const raw = Buffer.concat(chunks);
          const headerEnd = raw.indexOf('\r\n\r\n');
          simpleParser(raw).then(
            (parsed) => {
              received.push({
                parsed,
                rawHeaders: raw.subarray(0, headerEnd).toString('utf8'),
                recipients: session.envelope.rcptTo.map((r) => r.address),
              });
              // Received (it counts as sent here) before the sender hears so: a sender that dies meanwhile
              // sends it again.
              if (delayMs > 0) setTimeout(callback, delayMs);
              else callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    // A client hanging up mid-session must not crash the test process.
    server.on('error', () => {});
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  };
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));

  await listen();
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    refuseWith: (code) => {
      refusal = code;
    },
    pause: stop,
    resume: listen,
    close: stop,
  };
}
