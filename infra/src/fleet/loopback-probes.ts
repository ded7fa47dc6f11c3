import http from 'node:http';
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
}

/** A GET to http://127.0.0.1:port with an optional Host header (to pick a virtual host). */
export function httpGet(port: number, options: { path?: string; host?: string; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      {
        host: loopback,
        port,
        path: options.path ?? '/',
        headers: options.host ? { host: options.host } : {},
        agent: false,
        timeout: options.timeoutMs ?? 5_000,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.once('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
        response.once('error', reject);
      },
    );
    request.once('timeout', () => request.destroy(new Error(`No HTTP answer from ${loopback}:${port} in time`)));
    request.once('error', reject);
  });
}
