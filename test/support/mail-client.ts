import net from 'node:net';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { queryDns } from '@ruche/infra/fleet';

/**
 * What a mail user's programs do, against a test server's ports on 127.0.0.1: send over SMTP
 * (nodemailer, or a bare SMTP conversation when the replies themselves are the point), read
 * over IMAP (imapflow), and look DKIM keys up in the fleet's own DNS.
 */

/** Test servers carry self-signed certificates. */
const tls = { rejectUnauthorized: false };

export interface Message {
  uid: number;
  subject: string;
  /** The whole message as stored (headers and body). */
  source: string;
}

export interface ImapLogin {
  port: number;
  user: string;
  pass: string;
  /** 993 (implicit TLS) rather than 143 with STARTTLS. */
  secure?: boolean;
}

/** Logs in, holds the inbox while `work` runs, logs out; rejects when the server refuses the login. */
async function withInbox<T>(login: ImapLogin, work: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({ host: '127.0.0.1', port: login.port, secure: login.secure ?? false, auth: { user: login.user, pass: login.pass }, tls, logger: false, doSTARTTLS: login.secure ? undefined : true });
  await client.connect();
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      return await work(client);
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** Logs in and lists the inbox; rejects when the server refuses the login. */
export function readInbox(login: ImapLogin): Promise<Message[]> {
  return withInbox(login, async (client) => {
    const messages: Message[] = [];
    if ((client.mailbox && client.mailbox.exists) || 0) {
      for await (const message of client.fetch('1:*', { uid: true, envelope: true, source: true })) {
        messages.push({ uid: message.uid, subject: message.envelope?.subject ?? '', source: message.source?.toString('utf8') ?? '' });
      }
    }
    return messages;
  });
}

/** Marks every message in the inbox read, as a mail program does once it shows them (maildir: the files move to cur/ and take a flag). */
export function markInboxRead(login: ImapLogin): Promise<void> {
  return withInbox(login, async (client) => {
    if (client.mailbox && client.mailbox.exists) await client.messageFlagsAdd('1:*', ['\\Seen']);
  });
}

export interface Sent {
  from: string;
  to: string | string[];
  subject: string;
  text: string;
}

/**
 * Sends one message, as a mail program would: over port 25 (no login) or submission with a
 * login (STARTTLS, or implicit TLS with `secure`: the published port of 465).
 */
export async function sendMail(port: number, message: Sent, auth?: { user: string; pass: string }, options: { secure?: boolean } = {}): Promise<string> {
  const secure = options.secure ?? false;
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure, requireTLS: auth !== undefined && !secure, tls, ...(auth ? { auth } : {}) });
  try {
    const info = await transport.sendMail(message);
    return info.response;
  } finally {
    transport.close();
  }
}

export interface SmtpReply {
  code: number;
  text: string;
}

/**
 * A bare SMTP conversation on 127.0.0.1:port: each command's reply as the server gave it (a
 * refusal is a reply, not an error). `DATA` content is sent after a 354.
 */
export async function smtpConversation(port: number, commands: string[]): Promise<SmtpReply[]> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.setEncoding('utf8');
  let buffer = '';
  const waiting: Array<(reply: SmtpReply) => void> = [];
  const ready: SmtpReply[] = [];
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (;;) {
      const match = /^((?:\d{3}-[^\r\n]*\r\n)*)(\d{3}) ([^\r\n]*)\r\n/.exec(buffer);
      if (!match) break;
      buffer = buffer.slice(match[0].length);
      const reply = { code: Number(match[2]), text: `${match[1]!.replace(/\d{3}-/g, '')}${match[3]}`.trim() };
      const next = waiting.shift();
      if (next) next(reply);
      else ready.push(reply);
    }
  });
  const read = () =>
    new Promise<SmtpReply>((resolve, reject) => {
      const queued = ready.shift();
      if (queued) return resolve(queued);
      const timer = setTimeout(() => reject(new Error('no SMTP reply within 20 s')), 20_000);
      waiting.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const replies: SmtpReply[] = [];
  try {
    const greeting = await read();
    if (greeting.code !== 220) throw new Error(`unexpected greeting ${greeting.code} ${greeting.text}`);
    for (const command of commands) {
      socket.write(`${command}\r\n`);
      const reply = await read();
      replies.push(reply);
      if (reply.code === 421) break;
    }
    socket.write('QUIT\r\n');
  } finally {
    socket.end();
  }
  return replies;
}

/** A message body of about `bytes` bytes, in 76-character lines. */
export function bodyOf(bytes: number): string {
  const line = `${'x'.repeat(76)}\r\n`;
  return line.repeat(Math.ceil(bytes / line.length));
}

/** A resolver for DKIM keys that asks the fleet's DNS, on its published TCP port, as a receiver would ask the domain's. */
export function fleetResolver(dnsTcpPort: number) {
  return async (name: string, type: string): Promise<string[][]> => {
    if (type !== 'TXT') throw Object.assign(new Error(`no ${type} lookups here`), { code: 'ENOTFOUND' });
    const answer = await queryDns({ port: dnsTcpPort, name, type: 'TXT', transport: 'tcp' });
    const records = answer.answers.filter((record) => record.type === 'TXT');
    if (records.length === 0) throw Object.assign(new Error(`${name}: no TXT record (${answer.rcode})`), { code: 'ENOTFOUND' });
    return records.map((record) => [...record.data.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => JSON.parse(`"${match[1]}"`) as string));
  };
}
