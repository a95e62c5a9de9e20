/**
 * A capability taxonomy: domains a general assistant is asked about, each recognised by
 * stems of words typical of it. A person tends to stay within a few domains; a task sweep built
 * to harvest a model's capabilities spreads evenly over many. Stems match word starts, so
 * "integr" covers integral/integrate; the lists are deliberately broad and plain.
 */
export const TOPIC_DOMAINS: Record<string, string[]> = {
  arithmetic: ['calculat', 'sum', 'multiply', 'divide', 'percent', 'fraction', 'arithmetic', 'remainder'],
  algebra: ['equation', 'solve for', 'polynomial', 'variable', 'algebra', 'quadratic', 'factor', 'inequalit'],
  calculus: ['derivative', 'integral', 'integrat', 'limit', 'differential', 'calculus', 'series converg'],
  geometry: ['triangle', 'circle', 'angle', 'area of', 'volume of', 'perimeter', 'geometr', 'polygon'],
  probability: ['probabilit', 'random', 'dice', 'expected value', 'statistic', 'variance', 'distribution'],
  programming: [
    'function',
    'python',
    'javascript',
    'code',
    'program',
    'compile',
    'bug',
    'algorithm',
    'array',
    'recursion',
    'regex',
    'sql',
    'typescript',
    'java',
    'rust',
  ],
  systems: [
    'linux',
    'server',
    'docker',
    'kubernetes',
    'network',
    'database',
    'latency',
    'cache',
    'operating system',
  ],
  security: ['encrypt', 'password', 'vulnerab', 'malware', 'phishing', 'firewall', 'hack', 'cyber'],
  physics: [
    'velocity',
    'force',
    'energy',
    'quantum',
    'gravity',
    'momentum',
    'physics',
    'electron',
    'relativity',
  ],
  chemistry: ['molecule', 'chemical', 'reaction', 'acid', 'atom', 'compound', 'chemistry', 'element'],
  biology: ['cell', 'dna', 'gene', 'protein', 'evolution', 'species', 'organism', 'biology', 'photosynthes'],
  medicine: [
    'symptom',
    'disease',
    'diagnos',
    'doctor',
    'medication',
    'treatment',
    'patient',
    'vaccine',
    'pain',
    'infection',
  ],
  nutrition: ['diet', 'protein', 'calorie', 'vitamin', 'healthy eating', 'nutrition', 'meal'],
  fitness: ['exercise', 'workout', 'muscle', 'running', 'gym', 'fitness', 'stretch'],
  psychology: ['anxiety', 'depress', 'emotion', 'therapy', 'stress', 'motivation', 'psycholog', 'feel'],
  law: ['law', 'legal', 'contract', 'court', 'lawsuit', 'attorney', 'rights', 'illegal', 'sue'],
  finance: [
    'invest',
    'stock',
    'loan',
    'interest rate',
    'tax',
    'budget',
    'retire',
    'mortgage',
    'money',
    'bank',
  ],
  economics: ['inflation', 'economy', 'market', 'supply', 'demand', 'gdp', 'econom', 'trade'],
  business: ['startup', 'marketing', 'customer', 'sales', 'business', 'strategy', 'company', 'product'],
  careers: ['job', 'resume', 'interview', 'career', 'salary', 'boss', 'coworker', 'hire'],
  history: ['history', 'war', 'century', 'empire', 'ancient', 'revolution', 'histor', 'king', 'president'],
  politics: ['election', 'government', 'policy', 'politic', 'vote', 'congress', 'democra', 'party'],
  geography: ['country', 'capital', 'river', 'mountain', 'continent', 'population of', 'city', 'climate'],
  environment: ['climate change', 'pollution', 'recycl', 'renewable', 'carbon', 'environment', 'sustainab'],
  astronomy: ['planet', 'star', 'galaxy', 'moon', 'orbit', 'telescope', 'universe', 'astronom'],
  literature: ['novel', 'poem', 'author', 'book', 'literature', 'character', 'shakespeare', 'story'],
  writing: [
    'essay',
    'write a',
    'paragraph',
    'rewrite',
    'summar',
    'edit',
    'grammar',
    'sentence',
    'headline',
    'email',
  ],
  language: [
    'translat',
    'spanish',
    'french',
    'german',
    'chinese',
    'language',
    'word for',
    'meaning of',
    'synonym',
  ],
  philosophy: ['ethic', 'moral', 'philosoph', 'meaning of life', 'free will', 'conscious', 'existential'],
  religion: ['god', 'religio', 'bible', 'church', 'prayer', 'islam', 'buddh', 'spiritual'],
  cooking: ['recipe', 'cook', 'bake', 'ingredient', 'oven', 'dinner', 'sauce', 'chicken', 'cake'],
  travel: ['travel', 'flight', 'hotel', 'trip', 'visit', 'vacation', 'passport', 'tourist'],
  home: ['clean', 'garden', 'plant', 'furniture', 'repair', 'paint', 'house', 'apartment', 'kitchen'],
  relationships: [
    'friend',
    'girlfriend',
    'boyfriend',
    'wife',
    'husband',
    'partner',
    'date',
    'relationship',
    'family',
    'parent',
  ],
  parenting: ['child', 'kid', 'baby', 'toddler', 'teen', 'parenting', 'school'],
  pets: ['dog', 'cat', 'pet', 'puppy', 'kitten', 'vet', 'animal'],
  entertainment: ['movie', 'film', 'tv show', 'series', 'actor', 'netflix', 'music', 'song', 'band', 'album'],
  games: ['game', 'chess', 'puzzle', 'riddle', 'video game', 'play'],
  sports: ['football', 'soccer', 'basketball', 'baseball', 'tennis', 'team', 'player', 'olympic'],
  vehicles: ['car', 'engine', 'tire', 'drive', 'vehicle', 'bike', 'motorcycle'],
  shopping: ['buy', 'price', 'cheap', 'brand', 'shop', 'order', 'gift'],
  technology: ['phone', 'computer', 'laptop', 'app', 'internet', 'wifi', 'software', 'ai', 'robot'],
  logic: ['logic', 'deduc', 'syllogism', 'premise', 'conclusion', 'true or false', 'paradox'],
  data: [
    'dataset',
    'classify',
    'classification',
    'sentiment',
    'label',
    'categoriz',
    'extract',
    'table',
    'json',
    'csv',
  ],
};

export const TOPIC_NAMES = Object.keys(TOPIC_DOMAINS);

// Index stems by their first four characters (short stems match whole tokens), so a prompt is
// scanned once, token by token, on the per-event hot path.
const SHORT = new Map<string, number>();
const BY_HEAD = new Map<string, { stem: string[]; domain: number }[]>();
Object.values(TOPIC_DOMAINS).forEach((stems, domain) => {
  for (const s of stems) {
    const words = s.split(' ');
    if (words.length === 1 && s.length < 4) SHORT.set(s, domain);
    else {
      const head = s.slice(0, 4);
      const list = BY_HEAD.get(head) ?? [];
      list.push({ stem: words, domain });
      BY_HEAD.set(head, list);
    }
  }
});

/** Domains the tokens of a prompt touch, as a bit mask over TOPIC_NAMES (at most 64 domains). */
export function topicMask(tokens: readonly string[]): bigint {
  // Hot path (every new prompt): the bits gather in two 32-bit numbers and become one BigInt at
  // the end (a BigInt per matched stem was most of this function's allocation).
  let low = 0;
  let high = 0;
  const set = (domain: number): void => {
    if (domain < 32) low |= 1 << domain;
    else high |= 1 << (domain - 32);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const short = SHORT.get(t);
    if (short !== undefined) set(short);
    if (t.length < 4) continue;
    const candidates = BY_HEAD.get(t.slice(0, 4));
    if (!candidates) continue;
    for (const { stem, domain } of candidates) {
      if (!t.startsWith(stem[0]!)) continue;
      let ok = true;
      for (let j = 1; j < stem.length && ok; j++) ok = tokens[i + j]?.startsWith(stem[j]!) ?? false;
      if (ok) set(domain);
    }
  }
  if (low === 0 && high === 0) return 0n;
  return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
}

export function popcount(mask: bigint): number {
  let n = 0;
  for (let m = mask; m; m &= m - 1n) n++;
  return n;
}
