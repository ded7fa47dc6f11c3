import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import net from 'node:net';

/**
 * Probes for test servers' published ports. They only ever connect to 127.0.0.1: the machine
 * never sends traffic to container addresses.
 */
export const loopback = '127.0.0.1';

/** Connects to 127.0.0.1:port and resolves with the first line the server sends (SSH, SMTP, IMAP banners). */
export function readBanner(port: number, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: loopback, port });
    let received = '';
    const finish = (error: Error | null, line?: string) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(line ?? '');
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`No banner from ${loopback}:${port} within ${timeoutMs} ms`)));
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\n');
      if (end >= 0) finish(null, received.slice(0, end).replace(/\r$/, ''));
    });
    socket.once('error', (error) => finish(error));
    socket.once('end', () => finish(new Error(`${loopback}:${port} closed the connection before a banner (got ${JSON.stringify(received)})`)));
  });
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Over HTTPS: the names the server's certificate is for (its subjectAltName, as Node prints it). */
  certificateNames?: string;
}

interface GetOptions {
  path?: string;
  /** The Host header (and, over HTTPS, the SNI name) that picks a virtual host. */
  host?: string;
  timeoutMs?: number;
}

/** A GET to http://127.0.0.1:port with an optional Host header (to pick a virtual host). */
export function httpGet(port: number, options: GetOptions = {}): Promise<HttpAnswer> {
  return get(http.get, port, options, {});
}

/**
 * A GET to https://127.0.0.1:port naming `host` in SNI and Host. The certificate is not
 * verified (test servers' are self-signed): the answer carries the names it is for instead.
 */
export function httpsGet(port: number, options: GetOptions = {}): Promise<HttpAnswer> {
  return get(https.get, port, options, { rejectUnauthorized: false, ...(options.host ? { servername: options.host } : {}) });
}

function get(send: typeof http.get, port: number, options: GetOptions, tls: https.RequestOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = send(
      {
        host: loopback,
        port,
        path: options.path ?? '/',
        headers: options.host ? { host: options.host } : {},
        agent: false,
        timeout: options.timeoutMs ?? 5_000,
        ...tls,
      },
      (response) => {
        const certificate = 'getPeerCertificate' in response.socket ? (response.socket as tls.TLSSocket).getPeerCertificate() : null;
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.once('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, ...(certificate ? { certificateNames: certificate.subjectaltname ?? '' } : {}) }),
        );
        response.once('error', reject);
      },
    );
    request.once('timeout', () => request.destroy(new Error(`No answer from ${loopback}:${port} in time`)));
    request.once('error', reject);
  });
}

/**
 * Connects to 127.0.0.1:port, optionally sends `hello`, and resolves with the first bytes the
 * server sends (a MariaDB handshake, PostgreSQL's answer to an SSL request).
 */
function firstBytes(port: number, hello: Buffer | null, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: loopback, port });
    const finish = (error: Error | null, data?: Buffer) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(data!);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`No answer from ${loopback}:${port} within ${timeoutMs} ms`)));
    socket.once('connect', () => hello && socket.write(hello));
    socket.once('data', (data: Buffer) => finish(null, data));
    socket.once('error', (error) => finish(error));
    socket.once('end', () => finish(new Error(`${loopback}:${port} closed the connection without a word`)));
  });
}

/**
 * What a MariaDB server first says on 127.0.0.1:port: its version in a handshake, or the error
 * it answers a host no account may log in from (MariaDB speaks first, either way).
 */
export async function mariadbHandshake(port: number, timeoutMs = 5_000): Promise<string> {
  const packet = await firstBytes(port, null, timeoutMs);
  // 3-byte length, sequence number, then protocol version 10 and the version as a C string, or
  // 0xff, a 2-byte error code and its message.
  if (packet.length > 6 && packet[4] === 10) return packet.subarray(5, packet.indexOf(0, 5)).toString('latin1');
  if (packet.length > 7 && packet[4] === 0xff) return `error ${packet.readUInt16LE(5)}: ${packet.subarray(7).toString('latin1')}`;
  throw new Error(`not a MariaDB handshake: ${packet.subarray(0, 40).toString('latin1')}`);
}

/** True when a PostgreSQL server answers on 127.0.0.1:port (its answer to an SSL request: S or N). */
export async function postgresAnswers(port: number, timeoutMs = 5_000): Promise<boolean> {
  const sslRequest = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
  const answer = await firstBytes(port, sslRequest, timeoutMs);
  if (answer.length !== 1 || !'SN'.includes(answer.toString('latin1'))) throw new Error(`not a PostgreSQL answer: ${answer.toString('latin1')}`);
  return true;
}
