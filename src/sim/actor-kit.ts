import { drawElicitationStyle, type ElicitationStyle } from './elicitation-wrappers.js';
import { CAPABILITIES, capabilityTask, type Capability } from './capability-taxonomy.js';
import { userAgent, type ClientFamily } from './clients.js';
import type { CorpusText, Deck } from './corpus.js';
import { COUNTRIES, countryByCode } from './geography.js';
import { proxyBlock, type ProxyBlock } from './networks.js';
import { Rng, mixKeys } from './rng.js';
import { CAMPAIGN_SYSTEM_PROMPTS } from './system-prompts.js';

/**
 * Everything an extraction operator reuses across the accounts it controls, and across the
 * providers it targets: proxy blocks, sign-up networks, payment cards, e-mail domains, system
 * prompts, wrapper phrasings, client software and the task queue. Derived from the actor seed
 * alone, so two organisations simulated with the same actor seed see the same operator.
 */
export interface ActorKit {
  proxyBlocks: readonly ProxyBlock[];
  signupBlocks: readonly ProxyBlock[];
  cards: readonly string[];
  emailDomains: readonly string[];
  systemPrompts: readonly string[];
  elicitation: ElicitationStyle;
  clientFamily: ClientFamily;
  userAgents: readonly string[];
  /** Where the operator works (its controller's diurnal bias). */
  tz: number;
  declaredCountries: readonly string[];
  temperature: readonly number[];
  maxTokens: readonly number[];
  capabilityWeights: readonly (readonly [Capability, number])[];
}

const OPERATOR_DOMAINS = [
  'tuta.io',
  'mailfence.com',
  'gmx.com',
  'zoho.com',
  'yandex.com',
  'onet.pl',
  'mail.com',
  'outlook.com',
  'proton.me',
  'hotmail.com',
];

export function actorKit(actorSeed: number, actor: string, hydraAccounts: number): ActorKit {
  const rng = Rng.derive(mixKeys(actorSeed, ['actor-kit', actor]));
  const proxyCountries = rng
    .sample(['US', 'BR', 'VN', 'IN', 'ID', 'TR', 'MX', 'PH'], rng.int(2, 4))
    .map(countryByCode);
  const blocks = 4 + Math.floor(Math.sqrt(hydraAccounts) / 3);
  const proxyBlocks = Array.from({ length: blocks }, () => proxyBlock(rng.pick(proxyCountries), rng));
  const signupBlocks = Array.from({ length: rng.int(2, 3) }, () => proxyBlock(rng.pick(proxyCountries), rng));
  // 5-8 cards for 150 accounts, growing sub-linearly for bigger clusters.
  const cardCount = rng.int(5, 8) * Math.max(1, hydraAccounts / 150) ** 0.6;
  const clientFamily = rng.pick<ClientFamily>([
    'openai-python',
    'openai-python',
    'httpx',
    'aiohttp',
    'openai-node',
  ]);
  const fam = rng.fork();
  return {
    proxyBlocks,
    signupBlocks,
    cards: Array.from({ length: Math.round(cardCount) }, () => `fp_${rng.hex(24)}`),
    emailDomains: rng.sample(OPERATOR_DOMAINS, 2),
    systemPrompts: rng.sample(CAMPAIGN_SYSTEM_PROMPTS, rng.int(1, 3)),
    elicitation: drawElicitationStyle(rng, rng.int(5, 9)),
    clientFamily,
    userAgents: [userAgent(clientFamily, fam), userAgent(clientFamily, fam)],
    tz: rng.pick([8, 3, 2, 5.5, 7, -5]),
    declaredCountries: rng.sample(
      COUNTRIES.map((c) => c.code),
      6,
    ),
    temperature: rng.sample([0.6, 0.7, 0.8, 1, 1], 2),
    maxTokens: rng.sample([2048, 4096, 4096, 8192, 16000], 2),
    capabilityWeights: CAPABILITIES.map((c) => [c, rng.range(0.5, 2)] as const),
  };
}

/** The operator's task queue: generated sweeps, or a real distillation set (corpus mode). */
export class TaskQueue {
  constructor(
    private readonly kit: ActorKit,
    private readonly corpus: Deck<CorpusText> | undefined,
  ) {}

  next(rng: Rng): { task: string; capability: Capability | 'corpus'; reference?: string } {
    if (this.corpus) {
      const t = this.corpus.draw();
      return { task: t.prompt, capability: 'corpus', ...(t.response ? { reference: t.response } : {}) };
    }
    const capability = rng.weighted(this.kit.capabilityWeights);
    return { task: capabilityTask(capability, rng), capability };
  }
}
