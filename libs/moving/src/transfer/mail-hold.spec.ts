import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  // A clock 20 seconds later at each look: a wait that fails ends after a few tries.
  writeFileSync(path.join(dir, 'date'), '#!/bin/sh\nnow=$(cat "$CLOCK" 2>/dev/null || echo 1796000000)\necho $((now + 20)) > "$CLOCK"\necho "$now"\n');
  for (const tool of ['postqueue', 'sleep', 'date']) chmodSync(path.join(dir, tool), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const message = (sender: string, recipients: string[]) =>
  JSON.stringify({ queue_name: 'deferred', queue_id: '4F1A2B3C', arrival_time: 1796000000, message_size: 2287, forced_expire: false, sender, recipients: recipients.map((address) => ({ address, delay_reason: 'greylisted, try again later' })) }).replaceAll('":', '": ').replaceAll(',"', ', "');

const deliver = (queue: string[], ...domains: string[]) => {
  writeFileSync(path.join(dir, 'queue.json'), queue.map((line) => `${line}\n`).join(''));
  writeFileSync(path.join(dir, 'domains'), domains.map((domain) => `${domain}\n`).join(''));
  return spawnSync('sh', ['-c', `${DELIVER_QUEUED}\ndeliver_queued "$1"`, 'test', path.join(dir, 'domains')], {
    env: { PATH: `${dir}:/usr/bin:/bin`, QUEUE: path.join(dir, 'queue.json'), CLOCK: path.join(dir, `clock-${domains.length}-${queue.length}-${Math.random()}`) },
    encoding: 'utf8',
  });
};

describe('delivering what Postfix queued for domains that now answer 450', () => {
  it('gives up after a minute by the clock, having asked Postfix to deliver at each look', () => {
    writeFileSync(path.join(dir, 'postqueue'), '#!/bin/sh\n[ "$1" = -f ] && echo flush >> "$FLUSHES"\n[ "$1" = -j ] && cat "$QUEUE"\nexit 0\n');
    const flushes = path.join(dir, 'flushes');
    writeFileSync(path.join(dir, 'queue.json'), `${message('bob@elsewhere.example', ['alice@radio.example'])}\n`);
    writeFileSync(path.join(dir, 'domains'), 'radio.example\n');
    const waited = spawnSync('sh', ['-c', `${DELIVER_QUEUED}\ndeliver_queued "$1"`, 'test', path.join(dir, 'domains')], {
      env: { PATH: `${dir}:/usr/bin:/bin`, QUEUE: path.join(dir, 'queue.json'), CLOCK: path.join(dir, 'clock'), FLUSHES: flushes },
      encoding: 'utf8',
    });
    expect(waited.status).toBe(1);
    // Started at t, looked at t+20, t+40 (flushing each time), then t+60: a minute.
    expect(readFileSync(flushes, 'utf8')).toBe('flush\nflush\n');
  });

  it('waits for mail to the domains, in any case, and not for mail their users send out', () => {
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
    // Thousands of domains at once (an AlternC server's): the ones mail still waits for are named.
    const many = Array.from({ length: 5000 }, (_, i) => `group-${i}.example`);
    const waiting = deliver([message('bob@elsewhere.example', ['a@group-7.example', 'b@GROUP-4999.example', 'c@elsewhere.example'])], ...many);
    expect({ status: waiting.status, stderr: waiting.stderr }).toEqual({ status: 1, stderr: 'mail for group-4999.example group-7.example is still queued on this server\n' });
    expect(deliver([message('bob@elsewhere.example', ['c@elsewhere.example'])], ...many).status).toBe(0);
  });
});
