import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maildirMessage } from './maildir.js';

describe('maildirMessage', () => {
  it('is the same message in new/ and in cur/ whatever its flags, and differs between folders and names', () => {
    const unique = fc.stringMatching(/^[0-9]{10}\.M[0-9]+P[0-9]+\.[a-z0-9-]{1,12},S=[0-9]{1,6}$/);
    const folder = fc.constantFrom('./Maildir', './Maildir/.Sent', './Maildir/.Archives.2026');
    const flags = fc.constantFrom('', ':2,', ':2,S', ':2,RS', ':2,FST');
    fc.assert(
      fc.property(folder, unique, flags, flags, (dir, name, before, after) => {
        expect(maildirMessage(`${dir}/new/${name}${before}`)).toBe(maildirMessage(`${dir}/cur/${name}${after}`));
        expect(maildirMessage(`${dir}/cur/${name}${after}`)).not.toBe(maildirMessage(`${dir}/cur/${name}x${after}`));
        expect(maildirMessage(`${dir}/cur/${name}`)).not.toBe(maildirMessage(`./Maildir/.Other/cur/${name}`));
      }),
    );
  });

  it('gives no identity to files that are not messages: they are always copied', () => {
    for (const path of ['./Maildir/subscriptions', './Maildir/.Sent/maildirfolder', './Maildir/dovecot-uidlist', './Maildir/tmp/123.M1P2.host']) {
      expect(maildirMessage(path)).toBeNull();
    }
  });
});
