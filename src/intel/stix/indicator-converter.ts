import type { StixObject } from '../../contracts/index.js';
import { dgExtension, readDgExtension } from './extension.js';
import { stableId } from './ids.js';
import type { IndicatorSpec } from './indicator-specs.js';
import type { Stamp } from './stamp.js';

/**
 * An indicator seen in several campaigns is one object. `accounts_seen` is the number of the
 * publisher's accounts, across its exported campaigns, seen using the value: clusters share no
 * account, so the per-campaign counts add up (within one campaign, the largest count of it).
 * `confidence` is that of the strongest campaign it indicates.
 */
interface MergedIndicator {
  object: StixObject;
  /** Campaign id -> accounts of that campaign seen using the value. */
  accounts: Map<string, number>;
}

function mergeIndicator(m: MergedIndicator, campaignId: string, accounts: number, confidence: number): void {
  m.accounts.set(campaignId, Math.max(m.accounts.get(campaignId) ?? 0, accounts));
  const ext = readDgExtension(m.object);
  if (ext && typeof ext.accounts_seen === 'number')
    ext.accounts_seen = [...m.accounts.values()].reduce((a, b) => a + b, 0);
  m.object.confidence = Math.max(m.object.confidence ?? 0, confidence);
}

/** The indicators of one export, one object per observable however many campaigns it indicates. */
export class IndicatorBook {
  private readonly byId = new Map<string, MergedIndicator>();
  constructor(
    private readonly publisher: string,
    private readonly stamp: Stamp,
    private readonly validUntil: string,
  ) {}

  /**
   * The indicator's id, and its object when this is the first campaign it indicates (to be added
   * to the export); a repeat merges into the object already written.
   */
  add(spec: IndicatorSpec, campaignId: string, confidence: number): { id: string; created?: StixObject } {
    // The id is the observable's, not the campaign's: when campaigns share infrastructure the
    // indicator is one object with one `indicates` per campaign (one object per id and version).
    const id = stableId('indicator', this.publisher, spec.kind, spec.key);
    const seen = this.byId.get(id);
    if (seen) {
      mergeIndicator(seen, campaignId, spec.accounts, confidence);
      return { id };
    }
    const { ts, marked } = this.stamp;
    const object: StixObject = {
      type: 'indicator',
      spec_version: '2.1',
      id,
      created: ts,
      modified: ts,
      ...marked,
      name: spec.name,
      description: spec.description,
      indicator_types: ['malicious-activity'],
      pattern: spec.pattern,
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: ts,
      valid_until: this.validUntil,
      confidence,
      extensions: dgExtension(spec.ext),
    };
    this.byId.set(id, { object, accounts: new Map([[campaignId, spec.accounts]]) });
    return { id, created: object };
  }
}
