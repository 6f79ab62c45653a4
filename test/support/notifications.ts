// Real servers for the notification channels: an SMTP server (the smtp-server package) that
// receives mail over TCP, and an HTTP server standing for the SMS gateway; and a database of the
// test file's own, since the delivery loop works off every pending delivery it finds.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { SMTPServer } from 'smtp-server';
import { inject } from 'vitest';
import { connectDatabase, type Database } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  deliveryKey: string;
}

export interface SmtpSink {
  port: number;
  url: string;
  received: ReceivedMail[];
  close(): Promise<void>;
}

/** An SMTP server on `port` (0: a free one) that refuses the mailboxes `refuse` names with 550. */
export async function startSmtpSink(options: { port?: number; refuse?: (address: string) => boolean } = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.refuse?.(address.address)) {
        const refusal = Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 });
        return callback(refusal);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({ ...readMessage(Buffer.concat(chunks).toString('utf8')), to: session.envelope.rcptTo.map((r) => r.address) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The headers and text of a MIME message as nodemailer writes it (one text part, base64 or quoted-printable). */
function readMessage(raw: string): Omit<ReceivedMail, 'to'> {
  const split = raw.indexOf('\r\n\r\n');
  const headerText = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of headerText.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const decodeWords = (value: string) =>
    value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_m, encoding: string, text: string) =>
      encoding.toLowerCase() === 'b' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const text =
    encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : body;
  return { subject: decodeWords(headers.get('subject') ?? ''), text: text.replace(/\r\n$/, ''), deliveryKey: headers.get('x-delivery-key') ?? '' };
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => `%${hex}`);
  return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
}

export interface SmsGateway {
  url: string;
  /** Every request the gateway answered with a 2xx: the messages it took. */
  accepted: Array<{ messageId: string; mobile: string; content: string }>;
  /** Status the gateway answers with; 200 unless set. */
  answer: (body: { mobile: string }) => number;
  requests: number;
  close(): Promise<void>;
}

export async function startSmsGateway(): Promise<SmsGateway> {
  const gateway: SmsGateway = { url: '', accepted: [], answer: () => 200, requests: 0, close: async () => {} };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      gateway.requests++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messageId: string; mobile: string; content: string };
      const status = gateway.answer(body);
      if (status >= 200 && status < 300) gateway.accepted.push(body);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms/send`;
  gateway.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return gateway;
}

/** A migrated database of this test file's own on the run's PostgreSQL, dropped by `drop`. */
export async function isolatedDatabase(label: string): Promise<{ database: Database; drop(): Promise<void> }> {
  const runUrl = new URL(inject('databaseUrl'));
  const name = `${runUrl.pathname.slice(1)}_${label}_${process.pid}`;
  const admin = postgres(runUrl.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(runUrl);
  url.pathname = `/${name}`;
  const database = connectDatabase(url.toString(), { max: 6 });
  await migrateDatabase(database);
  return {
    database,
    async drop() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
