import { hostInPrefix24, prefix24In } from './addresses.js';
import { TwoNetworks, type Endpoint, type NetworkProfile } from './networks.js';
import { Rng, mixKeys } from './rng.js';

/**
 * Commercial VPN providers: a hosting ASN each, and a fixed handful of exit /24s that every
 * customer of the provider shares. Some ordinary people sign up through one; so does an
 * operator hiding a cohort of accounts, which makes the provider's network a weak attribute.
 */
export interface VpnProvider {
  name: string;
  asn: number;
  country: string;
}

export const VPN_PROVIDERS: readonly VpnProvider[] = [
  { name: 'm247', asn: 9009, country: 'GB' },
  { name: 'datacamp', asn: 60068, country: 'GB' },
  { name: 'packethub', asn: 147049, country: 'NL' },
  { name: 'leaseweb', asn: 60781, country: 'NL' },
  { name: 'tzulo', asn: 11878, country: 'US' },
  { name: 'clouvider', asn: 62240, country: 'GB' },
];

const exitCache = new Map<number, readonly string[]>();

/** The provider's exit /24s, fixed by its ASN (the same for everyone who uses it). */
export function vpnExits(provider: VpnProvider): readonly string[] {
  let exits = exitCache.get(provider.asn);
  if (!exits) {
    const rng = Rng.derive(mixKeys(provider.asn, ['vpn-exits']));
    exits = Array.from({ length: 4 + (provider.asn % 4) }, () => prefix24In(provider.asn, rng));
    exitCache.set(provider.asn, exits);
  }
  return exits;
}

/** An address on one of the provider's exits. */
export function vpnEndpoint(provider: VpnProvider, rng: Rng): Endpoint {
  return {
    ip: hostInPrefix24(rng.pick(vpnExits(provider)), rng),
    asn: provider.asn,
    country: provider.country,
  };
}

/** Traffic through a VPN: a new exit of the provider every so often. */
export class VpnNetwork implements NetworkProfile {
  constructor(private readonly provider: VpnProvider) {}

  at(_ts: number, rng: Rng): Endpoint {
    return vpnEndpoint(this.provider, rng);
  }

  signup(rng: Rng): Endpoint {
    return vpnEndpoint(this.provider, rng);
  }
}

/** Some traffic through the VPN, the rest from home; signed up through the VPN. */
export class PartlyVpnNetwork extends TwoNetworks {
  constructor(home: NetworkProfile, vpn: VpnNetwork, vpnShare: number) {
    super(home, vpn, vpnShare, true);
  }
}
