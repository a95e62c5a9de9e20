import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../contracts/index.js';
import { generateMemberKey, signObjects } from '../stix/signing.js';
import { pushBundle, writeMemberKey } from './member-workflows.js';

/**
 * `intel push` with a `bundle.json.sig` beside the bundle checks that the bundle is the one that
 * was signed before signing it again. Only a missing .sig means "not signed yet"; a .sig that
 * cannot be read or is damaged stops the push (exit status 2) instead of being ignored, which
 * would sign and send a bundle changed after its signature.
 */
describe('pushBundle and the bundle .sig', () => {
  let dir: string;
  let bundle: string;
  let key: string;
  // Nothing listens there: a push that gets past the .sig check fails to reach the hub.
  const hub = 'http://127.0.0.1:9/api1/';
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dg-push-'));
    bundle = path.join(dir, 'bundle.json');
    key = path.join(dir, 'key.yaml');
    writeFileSync(
      bundle,
      JSON.stringify({ type: 'bundle', id: 'bundle--6f8c1d4e-2b7a-4c3d-9e1f-0a2b3c4d5e6f', objects: [] }),
    );
    writeMemberKey('org-a', key);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const pushError = async (): Promise<UserError> => {
    try {
      await pushBundle({ hub, collection: 'campaigns', bundle, sign: key, credentials: { apiKey: 'k' } });
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      return e as UserError;
    }
    throw new Error('pushBundle did not fail');
  };

  it('without a .sig signs now and goes on to the hub', async () => {
    expect((await pushError()).code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('refuses a .sig made with another key (BAD_SIGNATURE)', async () => {
    writeFileSync(`${bundle}.sig`, JSON.stringify(signObjects([], generateMemberKey('org-b'))));
    expect((await pushError()).code).toBe('BAD_SIGNATURE');
  });

  it('refuses a .sig that is not JSON or not a signature (INVALID_INPUT), never ignores it', async () => {
    writeFileSync(`${bundle}.sig`, '{"alg":"ed25519","member":');
    let e = await pushError();
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toContain(`${bundle}.sig`);
    writeFileSync(`${bundle}.sig`, JSON.stringify({ signed: 'yes' }));
    e = await pushError();
    expect(e.code).toBe('INVALID_INPUT');
  });

  it('refuses a .sig it cannot read (FILE_UNREADABLE)', async () => {
    mkdirSync(`${bundle}.sig`);
    const e = await pushError();
    expect(e.code).toBe('FILE_UNREADABLE');
    expect(e.message).toContain(`${bundle}.sig`);
  });
});
