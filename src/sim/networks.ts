import { host6In, hostIn, hostInPrefix24, prefix24In, V6_HEAVY_ASNS } from './addresses.js';
import { DAY } from './calendar.js';
import type { Cloud, Country } from './geography.js';
import type { Rng } from './rng.js';

export interface Endpoint {
  ip: string;
  asn: number;
  country: string;
}

/** Where an account's requests come from, as it changes over time. */
export interface NetworkProfile {
  at(ts: number, rng: Rng): Endpoint;
  /** The address a sign-up would have come from. */
  signup(rng: Rng): Endpoint;
}

/** A home connection: one ISP, an address that changes every few days, sometimes a phone. */
export class ResidentialNetwork implements NetworkProfile {
  private ip: string;
  private until = 0;
  private readonly v6: boolean;
  private readonly isp: number;
  private readonly mobileShare: number;

  constructor(
    private readonly country: Country,
    rng: Rng,
  ) {
    this.isp = rng.pick(country.isps);
    this.v6 = V6_HEAVY_ASNS.has(this.isp) && rng.chance(0.35);
    this.mobileShare = rng.chance(0.3) ? rng.range(0.05, 0.4) : 0;
    this.ip = this.fresh(rng);
  }

  private fresh(rng: Rng): string {
    return this.v6 ? host6In(this.isp, rng) : hostIn(this.isp, rng);
  }

  at(ts: number, rng: Rng): Endpoint {
    if (this.mobileShare > 0 && rng.chance(this.mobileShare)) {
      const asn = rng.pick(this.country.mobile);
      return { ip: hostIn(asn, rng), asn, country: this.country.code };
    }
    if (ts >= this.until) {
      if (this.until !== 0) this.ip = this.fresh(rng);
      this.until = ts + rng.logNormal(5, 0.8) * DAY;
    }
    return { ip: this.ip, asn: this.isp, country: this.country.code };
  }

  signup(rng: Rng): Endpoint {
    return { ip: this.fresh(rng), asn: this.isp, country: this.country.code };
  }
}

/** A backend in a cloud region: a handful of egress addresses (NAT gateways, a few hosts). */
export class CloudNetwork implements NetworkProfile {
  private readonly ips: string[];
  readonly country: string;

  constructor(
    readonly cloud: Cloud,
    rng: Rng,
    hosts = rng.int(1, 4),
  ) {
    this.country = rng.pick(cloud.countries);
    this.ips = Array.from({ length: hosts }, () => hostIn(cloud.asn, rng));
  }

  at(_ts: number, rng: Rng): Endpoint {
    return { ip: rng.pick(this.ips), asn: this.cloud.asn, country: this.country };
  }

  signup(rng: Rng): Endpoint {
    return { ip: rng.pick(this.ips), asn: this.cloud.asn, country: this.country };
  }
}

/** Many people behind one address (a campus, an office). */
export class SharedNat implements NetworkProfile {
  constructor(
    private readonly ips: readonly string[],
    private readonly asn: number,
    private readonly country: string,
  ) {}

  at(_ts: number, rng: Rng): Endpoint {
    return { ip: rng.pick(this.ips), asn: this.asn, country: this.country };
  }

  signup(rng: Rng): Endpoint {
    return this.at(0, rng);
  }
}

/** A residential proxy service: every request exits from another address in a few /24s. */
export interface ProxyBlock {
  prefix: string;
  asn: number;
  country: string;
}

export function proxyBlock(country: Country, rng: Rng): ProxyBlock {
  const asn = rng.pick(country.isps);
  return { prefix: prefix24In(asn, rng), asn, country: country.code };
}

export class ProxyPool implements NetworkProfile {
  constructor(
    private readonly blocks: readonly ProxyBlock[],
    private readonly signupBlocks: readonly ProxyBlock[],
  ) {}

  at(_ts: number, rng: Rng): Endpoint {
    const block = rng.pick(this.blocks);
    return { ip: hostInPrefix24(block.prefix, rng), asn: block.asn, country: block.country };
  }

  signup(rng: Rng): Endpoint {
    const block = rng.pick(this.signupBlocks);
    return { ip: hostInPrefix24(block.prefix, rng), asn: block.asn, country: block.country };
  }
}

/** Traffic from two networks, `away` for a share of it (a VPN, a campus); the sign-up from either. */
export class TwoNetworks implements NetworkProfile {
  constructor(
    private readonly home: NetworkProfile,
    private readonly away: NetworkProfile,
    private readonly awayShare: number,
    private readonly signedUpAway: boolean,
  ) {}

  at(ts: number, rng: Rng): Endpoint {
    return rng.chance(this.awayShare) ? this.away.at(ts, rng) : this.home.at(ts, rng);
  }

  signup(rng: Rng): Endpoint {
    return (this.signedUpAway ? this.away : this.home).signup(rng);
  }
}
