import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { peerAddressSchema } from './peer-address.js';
import { peerHost } from './server-transfer.js';

describe('peerAddress', () => {
  it('is taken by a transfer whenever the API accepts it, and refused with a stable code otherwise', () => {
    const candidates = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain(), fc.string({ maxLength: 40 }), fc.stringMatching(/^[0-9a-f:]{1,12}$/));
    fc.assert(
      fc.property(candidates, (value) => {
        const parsed = peerAddressSchema.safeParse(value);
        if (parsed.success) expect(peerHost(parsed.data)).toBe(value);
        else expect(parsed.error.issues[0]!.message).toBe('validation.peer_address_invalid');
      }),
      { numRuns: 2000 },
    );
    // Colons alone passed the old pattern, and then failed the transfer.
    expect(peerAddressSchema.safeParse('::::').success).toBe(false);
  });
});
