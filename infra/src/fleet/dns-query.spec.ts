import { describe, expect, it } from 'vitest';
import { decodeDnsResponse, encodeDnsQuery } from './dns-query.js';

describe('dns-query', () => {
  it('encodes a question for an absolute or relative name alike', () => {
    const query = encodeDnsQuery(0x1234, 'www.Example.test.', 'A');
    expect(query.toString('hex')).toBe(
      '1234' + '0000' + '0001' + '0000' + '0000' + '0000' + '03777777' + '074578616d706c65' + '0474657374' + '00' + '0001' + '0001',
    );
    expect(encodeDnsQuery(0x1234, 'www.Example.test', 'A')).toEqual(query);
  });

  it('decodes compressed answers into zone-file notation', () => {
    const question = encodeDnsQuery(7, 'example.test', 'SOA');
    const header = Buffer.from(question.subarray(0, 12));
    header.writeUInt16BE(0x8400, 2); // response, authoritative
    header.writeUInt16BE(2, 6); // two answers
    const pointer = Buffer.from([0xc0, 12]); // "example.test." at offset 12
    const soaRdata = Buffer.concat([
      Buffer.from([3, ...Buffer.from('ns1'), 0xc0, 12]),
      Buffer.from([10, ...Buffer.from('hostmaster'), 0xc0, 12]),
      Buffer.from([0, 0, 0, 1, 0, 0, 14, 16, 0, 0, 3, 132, 0, 9, 58, 128, 0, 0, 1, 44]),
    ]);
    const record = (type: number, rdata: Buffer) => {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt16BE(type, 0);
      fixed.writeUInt16BE(1, 2);
      fixed.writeUInt32BE(300, 4);
      fixed.writeUInt16BE(rdata.length, 8);
      return Buffer.concat([pointer, fixed, rdata]);
    };
    const packet = Buffer.concat([
      header,
      question.subarray(12),
      record(6, soaRdata),
      record(28, Buffer.from('20010db8000000000000000000000001', 'hex')),
    ]);

    expect(decodeDnsResponse(packet)).toEqual({
      id: 7,
      rcode: 'NOERROR',
      authoritative: true,
      truncated: false,
      answers: [
        { name: 'example.test.', type: 'SOA', ttl: 300, data: 'ns1.example.test. hostmaster.example.test. 1 3600 900 604800 300' },
        { name: 'example.test.', type: 'AAAA', ttl: 300, data: '2001:db8::1' },
      ],
      authority: [],
    });
  });

  it('rejects a packet that is not a response', () => {
    expect(() => decodeDnsResponse(encodeDnsQuery(1, 'example.test', 'A'))).toThrow(/not a response/);
  });
});
