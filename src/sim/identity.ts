import type { AccountRecord } from '../contracts/index.js';
import type { Endpoint, NetworkProfile } from './networks.js';
import type { Rng } from './rng.js';

/** Sign-up metadata: e-mail domains, keyed hashes, payment fingerprints, tiers. */

const FREEMAIL: readonly (readonly [string, number])[] = [
  ['gmail.com', 40],
  ['outlook.com', 8],
  ['hotmail.com', 5],
  ['yahoo.com', 6],
  ['icloud.com', 5],
  ['proton.me', 2],
  ['gmx.com', 1.2],
  ['gmx.de', 1.5],
  ['web.de', 1],
  ['mail.com', 0.5],
  ['yandex.com', 0.5],
  ['zoho.com', 0.6],
  ['tuta.io', 0.3],
  ['mailfence.com', 0.15],
  ['onet.pl', 0.3],
  ['naver.com', 0.8],
  ['qq.com', 0.5],
  ['orange.fr', 0.6],
  ['libero.it', 0.4],
  ['uol.com.br', 0.4],
];

const SYLLABLES = [
  'nova',
  'tek',
  'lumi',
  'ora',
  'brisk',
  'quant',
  'vela',
  'cor',
  'hub',
  'sync',
  'mint',
  'leaf',
  'stack',
  'forge',
  'pilot',
  'loop',
  'grid',
  'wave',
  'kite',
  'zen',
];

export function freemailDomain(rng: Rng): string {
  return rng.weighted(FREEMAIL);
}

export function companyDomain(rng: Rng): string {
  return `${rng.pick(SYLLABLES)}${rng.pick(SYLLABLES)}${rng.chance(0.2) ? rng.int(2, 99) : ''}.${rng.pick(['com', 'io', 'ai', 'co', 'dev', 'app', 'net'])}`;
}

export function accountId(prefix: string, rng: Rng): string {
  return `${prefix}${rng.base36(16)}`;
}

export function apiKeyIds(count: number, rng: Rng): string[] {
  return Array.from({ length: count }, () => `key_${rng.base36(12)}`);
}

export interface IdentityInput {
  id: string;
  createdAt: number;
  tier: 'free' | 'paid' | 'enterprise';
  emailDomain: string;
  payment?: string;
  declaredCountry: string;
  signup: Endpoint;
  verified: boolean;
}

/**
 * A self-service sign-up: a freemail address, a card when paid, the address it signed up from,
 * verified with chance `verifiedShare`. Draws from `rng` in that order, after the caller's draws.
 */
export function freemailAccount(
  i: { id: string; createdAt: number; paid: boolean; declaredCountry: string; verifiedShare: number },
  network: NetworkProfile,
  rng: Rng,
): AccountRecord {
  return accountRecord(
    {
      id: i.id,
      createdAt: i.createdAt,
      tier: i.paid ? 'paid' : 'free',
      emailDomain: freemailDomain(rng),
      ...(i.paid ? { payment: paymentFingerprint(rng) } : {}),
      declaredCountry: i.declaredCountry,
      signup: network.signup(rng),
      verified: rng.chance(i.verifiedShare),
    },
    rng,
  );
}

export function accountRecord(i: IdentityInput, rng: Rng): AccountRecord {
  const record: AccountRecord = {
    account_id: i.id,
    created_at: new Date(i.createdAt).toISOString(),
    tier: i.tier,
    email_domain: i.emailDomain,
    // Stands in for HMAC-SHA256 of the normalised address under the provider's key.
    email_hash: rng.hex(64),
    declared_country: i.declaredCountry,
    signup_ip: i.signup.ip,
    verified: i.verified,
  };
  if (i.payment) record.payment_fingerprint = i.payment;
  return record;
}

export function drawTier(rng: Rng, paidBias: number): 'free' | 'paid' | 'enterprise' {
  return rng.weighted<'free' | 'paid' | 'enterprise'>([
    ['free', Math.max(0.05, 0.55 - paidBias)],
    ['paid', 0.38 + paidBias * 0.7],
    ['enterprise', 0.07 + paidBias * 0.3],
  ]);
}

export function paymentFingerprint(rng: Rng): string {
  return `fp_${rng.hex(24)}`;
}
