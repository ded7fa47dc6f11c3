import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DELIVER_QUEUED } from './mail-hold.js';

/**
 * deliver_queued, run by this machine's sh against a postqueue that prints a given queue (the
 * JSON lines `postqueue -j` prints) and a sleep that does not wait: what it waits for.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ruche-mail-hold-'));
  writeFileSync(path.join(dir, 'postqueue'), '#!/bin/sh\n[ "$1" = -j ] && cat "$QUEUE"\nexit 0\n');
  writeFileSync(path.join(dir, 'sleep'), '#!/bin/sh\nexit 0\n');
  for (const tool of ['postqueue', 'sleep']) chmodSync(path.join(dir, tool), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const message = (sender: string, recipients: string[]) =>
  JSON.stringify({ queue_name: 'deferred', queue_id: '4F1A2B3C', arrival_time: 1796000000, message_size: 2287, forced_expire: false, sender, recipients: recipients.map((address) => ({ address, delay_reason: 'greylisted, try again later' })) }).replaceAll('":', '": ').replaceAll(',"', ', "');

const deliver = (queue: string[], domain: string) => {
  writeFileSync(path.join(dir, 'queue.json'), queue.map((line) => `${line}\n`).join(''));
  return spawnSync('sh', ['-c', `${DELIVER_QUEUED}\ndeliver_queued "$@"`, 'test', domain], { env: { PATH: `${dir}:/usr/bin:/bin`, QUEUE: path.join(dir, 'queue.json') }, encoding: 'utf8' });
};

describe('delivering what Postfix queued for domains that now answer 450', () => {
  it('waits for mail to the domain, in any case, and not for mail its users send out', () => {
    expect(deliver([], 'radio.example').status).toBe(0);
    // A user's mail to a greylisting server waits there for days: not the domain's mail.
    expect(deliver([message('alice@radio.example', ['bob@elsewhere.example'])], 'radio.example').status).toBe(0);
    // Mail to the domain waits, however the client wrote its name.
    for (const recipient of ['alice@radio.example', 'alice@Radio.EXAMPLE']) {
      const still = deliver([message('bob@elsewhere.example', ['carol@elsewhere.example', recipient])], 'radio.example');
      expect({ status: still.status, stderr: still.stderr }).toEqual({ status: 1, stderr: 'mail for radio.example is still queued on this server\n' });
    }
    // Another domain's mail does not hold this one, even one whose name ends like it.
    expect(deliver([message('bob@elsewhere.example', ['dave@fm-radio.example', 'erin@radio.example.org'])], 'radio.example').status).toBe(0);
    // (Each wait that fails looks 600 times.)
  }, 60_000);
});
