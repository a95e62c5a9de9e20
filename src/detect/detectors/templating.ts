import { templateSkeleton } from '../../text/index.js';
import { ATLAS, pct, type Detector } from '../detector.js';

/** Many prompts built from one skeleton with a variable slot: generated, not written. */
export const templating: Detector = {
  id: 'templating',
  title: 'Prompt templating',
  atlas: ATLAS.extractModel,
  family: 'behaviour',
  measure(s) {
    if (s.n < 5) return null;
    const [prefix] = s.prefixes.top(1);
    const [suffix] = s.suffixes.top(1);
    const usePrefix = (prefix?.[1] ?? 0) >= (suffix?.[1] ?? 0);
    const top = usePrefix ? prefix : suffix;
    const k = Math.min(top?.[1] ?? 0, s.n);
    const example = s.samples.items.find((x) => (usePrefix ? x.prefix : x.suffix) === top?.[0]);
    const skeleton = example ? `: "${templateSkeleton(example.prompt).slice(0, 160)}"` : '';
    return {
      stats: [{ kind: 'count', key: 'templated', k, n: s.n }],
      evidence: `${k} of ${s.n} prompts (${pct(k, s.n)}) share one ${usePrefix ? 'opening' : 'closing'} skeleton${skeleton}`,
      examples: example ? [example.id] : [],
    };
  },
};
