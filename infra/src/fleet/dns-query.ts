import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { loopback } from './loopback-probes.js';

/**
 * Just enough DNS (RFC 1035) to ask a test server's published port 53 one question over UDP or
 * TCP and read the answer the way a resolver would see it.
 */
const typeCodes = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, CAA: 257 } as const;
export type DnsRecordType = keyof typeof typeCodes;

const rcodeNames = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export interface DnsRecord {
  /** Owner name, fully qualified with its trailing dot. */
  name: string;
  /** `A`, `SOA`, … or `TYPE<n>` for types this module does not name. */
  type: string;
  ttl: number;
  /** Presentation format, as in a zone file: `192.0.2.1`, `ns1.example. hostmaster.example. 1 3600 …`. */
  data: string;
}

export interface DnsResponse {
  id: number;
  /** `NOERROR`, `NXDOMAIN`, `REFUSED`, … */
  rcode: string;
  authoritative: boolean;
  truncated: boolean;
  answers: DnsRecord[];
  authority: DnsRecord[];
}

export interface DnsQueryOptions {
  /** The published port on 127.0.0.1. */
  port: number;
  name: string;
  type: DnsRecordType;
  transport?: 'udp' | 'tcp';
  timeoutMs?: number;
}

/** Asks 127.0.0.1:port one question and resolves with the parsed response. */
export async function queryDns(options: DnsQueryOptions): Promise<DnsResponse> {
  const id = randomInt(0, 0x10000);
  const query = encodeDnsQuery(id, options.name, options.type);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const packet = options.transport === 'tcp' ? await exchangeTcp(options.port, query, timeoutMs) : await exchangeUdp(options.port, query, id, timeoutMs);
  const response = decodeDnsResponse(packet);
  if (response.id !== id) throw new Error(`DNS response id ${response.id} does not match query id ${id}`);
  return response;
}

export function encodeDnsQuery(id: number, name: string, type: DnsRecordType): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0000, 2); // a plain query, no recursion wanted: the server is authoritative
  header.writeUInt16BE(1, 4); // one question
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const encodedName = Buffer.concat([
    ...labels.map((label) => {
      const bytes = Buffer.from(label, 'ascii');
      if (bytes.length > 63) throw new Error(`DNS label too long: ${label}`);
      return Buffer.concat([Buffer.from([bytes.length]), bytes]);
    }),
    Buffer.from([0]),
  ]);
  const question = Buffer.alloc(4);
  question.writeUInt16BE(typeCodes[type], 0);
  question.writeUInt16BE(1, 2); // class IN
  return Buffer.concat([header, encodedName, question]);
}

export function decodeDnsResponse(packet: Buffer): DnsResponse {
  if (packet.length < 12) throw new Error(`DNS response too short (${packet.length} bytes)`);
  const flags = packet.readUInt16BE(2);
  if (!(flags & 0x8000)) throw new Error('DNS packet is not a response');
  const counts = [4, 6, 8, 10].map((offset) => packet.readUInt16BE(offset));
  let offset = 12;
  for (let i = 0; i < counts[0]!; i++) offset = readName(packet, offset).next + 4;
  const readRecords = (count: number): DnsRecord[] => {
    const records: DnsRecord[] = [];
    for (let i = 0; i < count; i++) {
      const owner = readName(packet, offset);
      const type = packet.readUInt16BE(owner.next);
      const ttl = packet.readUInt32BE(owner.next + 4);
      const length = packet.readUInt16BE(owner.next + 8);
      const start = owner.next + 10;
      records.push({ name: owner.name, type: typeName(type), ttl, data: formatRdata(packet, type, start, length) });
      offset = start + length;
    }
    return records;
  };
  const answers = readRecords(counts[1]!);
  const authority = readRecords(counts[2]!);
  const rcode = flags & 0x000f;
  return {
    id: packet.readUInt16BE(0),
    rcode: rcodeNames[rcode] ?? `RCODE${rcode}`,
    authoritative: Boolean(flags & 0x0400),
    truncated: Boolean(flags & 0x0200),
    answers,
    authority,
  };
}

function typeName(code: number): string {
  return Object.entries(typeCodes).find(([, value]) => value === code)?.[0] ?? `TYPE${code}`;
}

/** A possibly compressed domain name at `offset`; `next` is the offset after it in the record. */
function readName(packet: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let position = offset;
  let next = -1;
  for (let jumps = 0; ; ) {
    const length = packet[position];
    if (length === undefined) throw new Error('DNS name runs past the end of the packet');
    if ((length & 0xc0) === 0xc0) {
      if (++jumps > 20) throw new Error('DNS name compression loop');
      if (next < 0) next = position + 2;
      position = packet.readUInt16BE(position) & 0x3fff;
      continue;
    }
    if (length === 0) {
      if (next < 0) next = position + 1;
      break;
    }
    labels.push(packet.toString('latin1', position + 1, position + 1 + length));
    position += 1 + length;
  }
  return { name: `${labels.join('.')}.`, next };
}

function formatRdata(packet: Buffer, type: number, start: number, length: number): string {
  const end = start + length;
  switch (typeName(type)) {
    case 'A':
      return [...packet.subarray(start, end)].join('.');
    case 'AAAA': {
      const groups: string[] = [];
      for (let i = start; i < end; i += 2) groups.push(packet.readUInt16BE(i).toString(16));
      return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1); // the canonical short form
    }
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return readName(packet, start).name;
    case 'MX':
      return `${packet.readUInt16BE(start)} ${readName(packet, start + 2).name}`;
    case 'SOA': {
      const mname = readName(packet, start);
      const rname = readName(packet, mname.next);
      const numbers = [0, 4, 8, 12, 16].map((delta) => packet.readUInt32BE(rname.next + delta));
      return [mname.name, rname.name, ...numbers].join(' ');
    }
    case 'TXT': {
      const strings: string[] = [];
      for (let i = start; i < end; i += 1 + packet[i]!) strings.push(JSON.stringify(packet.toString('latin1', i + 1, i + 1 + packet[i]!)));
      return strings.join(' ');
    }
    case 'SRV':
      return `${packet.readUInt16BE(start)} ${packet.readUInt16BE(start + 2)} ${packet.readUInt16BE(start + 4)} ${readName(packet, start + 6).name}`;
    case 'CAA': {
      const tagLength = packet[start + 1]!;
      const tag = packet.toString('latin1', start + 2, start + 2 + tagLength);
      return `${packet[start]} ${tag} ${JSON.stringify(packet.toString('latin1', start + 2 + tagLength, end))}`;
    }
    default:
      return `\\# ${length} ${packet.toString('hex', start, end)}`;
  }
}

function exchangeUdp(port: number, query: Buffer, id: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => finish(new Error(`No DNS answer over UDP from ${loopback}:${port} within ${timeoutMs} ms`)), timeoutMs);
    function finish(error: Error | null, packet?: Buffer) {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(packet!);
    }
    socket.on('message', (packet) => {
      if (packet.length >= 2 && packet.readUInt16BE(0) === id) finish(null, packet);
    });
    socket.once('error', (error) => finish(error));
    socket.send(query, port, loopback);
  });
}

function exchangeTcp(port: number, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: loopback, port });
    let received = Buffer.alloc(0);
    const finish = (error: Error | null, packet?: Buffer) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(packet!);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`No DNS answer over TCP from ${loopback}:${port} within ${timeoutMs} ms`)));
    socket.once('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        finish(null, received.subarray(2, 2 + received.readUInt16BE(0)));
      }
    });
    socket.once('error', (error) => finish(error));
    socket.once('end', () => finish(new Error(`${loopback}:${port} closed the DNS connection before a full answer`)));
  });
}
