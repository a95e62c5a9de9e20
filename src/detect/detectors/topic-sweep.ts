import { TOPIC_NAMES } from '../../text/index.js';
import { entropy } from '../../features/index.js';
import { ATLAS, type Detector } from '../detector.js';

/**
 * Breadth and evenness of capability domains. A person stays with a few interests; a sweep
 * built to harvest a model's capabilities spreads evenly over many. The statistic is the
 * effective number of domains (exp of the entropy of domain shares).
 */
export const topicSweep: Detector = {
  id: 'topic-sweep',
  title: 'Topic-coverage sweep',
  atlas: ATLAS.replicate,
  family: 'extraction',
  measure(s) {
    if (s.topicEvents < 8) return null;
    const effective = Math.exp(entropy(s.topicWeight));
    const covered = TOPIC_NAMES.filter((_, i) => s.topicWeight[i]! >= 1);
    return {
      stats: [{ kind: 'value', key: 'effectiveDomains', value: effective, n: s.topicEvents }],
      evidence: `prompts cover ${covered.length} of ${TOPIC_NAMES.length} capability domains (effective ${effective.toFixed(1)}), e.g. ${covered.slice(0, 6).join(', ')}`,
      examples: s.samples.items.slice(0, 3).map((x) => x.id),
    };
  },
};
