import { templateSkeleton } from '../../text/index.js';
import { ATLAS, pct, type Detector } from '../detector.js';

/**
 * Many prompts built from one skeleton with a variable slot: generated, not written. Counted
 * over the account's prompts (EntityStats.prompts): a tool loop resending one prompt is one.
 */
export const templating: Detector = {
  id: 'templating',
  title: 'Prompt templating',
  atlas: ATLAS.extractModel,
  family: 'behaviour',
  measure(s) {
    const n = s.prompts;
    if (n < 5) return null;
    const [prefix] = s.prefixes.top(1);
    const [suffix] = s.suffixes.top(1);
    const usePrefix = (prefix?.[1] ?? 0) >= (suffix?.[1] ?? 0);
    const top = usePrefix ? prefix : suffix;
    const k = Math.min(top?.[1] ?? 0, n);
    const example = s.samples.items.find((x) => (usePrefix ? x.prefix : x.suffix) === top?.[0]);
    const skeleton = example ? `: "${templateSkeleton(example.prompt).slice(0, 160)}"` : '';
    return {
      stats: [{ kind: 'count', key: 'templated', k, n }],
      evidence: `${k} of ${n} prompts (${pct(k, n)}) share one ${usePrefix ? 'opening' : 'closing'} skeleton${skeleton}`,
      examples: example ? [example.id] : [],
    };
  },
};
