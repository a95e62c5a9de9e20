import type { Rng } from './rng.js';

/**
 * Task prompts that sweep a capability taxonomy, as a distillation operator builds them to
 * cover what the student model must learn. Each capability has templates with random
 * parameters, so prompts rarely repeat exactly but keep a recognisable shape.
 */
export type Capability =
  | 'math'
  | 'code'
  | 'science'
  | 'law'
  | 'medicine'
  | 'writing'
  | 'translation'
  | 'reasoning-puzzle'
  | 'tool-use'
  | 'finance'
  | 'history'
  | 'data-extraction'
  | 'summarization'
  | 'classification';

export const CAPABILITIES: readonly Capability[] = [
  'math',
  'code',
  'science',
  'law',
  'medicine',
  'writing',
  'translation',
  'reasoning-puzzle',
  'tool-use',
  'finance',
  'history',
  'data-extraction',
  'summarization',
  'classification',
];

const NAMES = [
  'Alice',
  'Bob',
  'Carla',
  'Deepak',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemi',
  'Liam',
  'Mei',
  'Noor',
];
const LANGS = [
  'Python',
  'JavaScript',
  'TypeScript',
  'Go',
  'Rust',
  'Java',
  'C++',
  'C#',
  'Kotlin',
  'Haskell',
  'Scala',
  'Ruby',
];
const CODE_TASKS = [
  'returns the longest palindromic substring of a string',
  'merges overlapping intervals in a list of [start, end] pairs',
  'implements an LRU cache with O(1) get and put',
  'parses a CSV line that may contain quoted fields with commas',
  'computes the edit distance between two strings',
  'finds all strongly connected components of a directed graph',
  'serializes and deserializes a binary tree',
  'implements a thread-safe bounded blocking queue',
  'evaluates an arithmetic expression with +, -, *, / and parentheses',
  'returns the k most frequent words in a text',
  'detects a cycle in a linked list and returns the node where it begins',
  'implements rate limiting with a token bucket',
  'validates a Sudoku board',
  'computes the median of two sorted arrays in logarithmic time',
  'implements Dijkstra shortest paths with a binary heap',
  'converts a Roman numeral to an integer',
  'generates all permutations of a list without duplicates',
  'implements a trie with insert, search and prefix search',
];
const SCIENCE = [
  'why the specific heat capacity of water is unusually high',
  'how CRISPR-Cas9 locates and cuts a target DNA sequence',
  'the mechanism of the Krebs cycle and where ATP is produced',
  'why the photoelectric effect could not be explained by classical wave theory',
  'how plate tectonics produces both earthquakes and volcanoes',
  'the role of the Higgs field in giving particles mass',
  'how enzymes lower activation energy',
  'why the sky appears red at sunset',
  'the difference between nuclear fission and fusion and why fusion is harder to sustain',
  'how vaccines train the adaptive immune system',
  'the greenhouse effect at the level of molecular vibrations',
  'what limits the efficiency of a heat engine (Carnot)',
  'how neurons propagate an action potential',
  'why superconductors expel magnetic fields',
];
const LAW = [
  'a tenant whose landlord refuses to return a security deposit after the lease ends',
  'an employee dismissed for posting criticism of the employer on social media',
  'a software license clause that limits liability to fees paid in the last 12 months',
  'a contract signed by a 17-year-old for a car purchase',
  'a non-compete agreement covering the whole country for five years',
  'a driver who caused an accident while following GPS directions onto a closed road',
  'a company that collected biometric data without written consent',
  'a buyer who discovers hidden water damage after purchasing a house',
  'an online shop that sells counterfeit branded goods unknowingly',
  'a force majeure clause invoked because of a supplier strike',
];
const MEDICINE = [
  'a 54-year-old man with crushing chest pain radiating to the left arm and sweating',
  'a 6-year-old with fever, sore throat and a sandpaper-like rash',
  'a 30-year-old woman with fatigue, weight gain, cold intolerance and dry skin',
  'a 70-year-old with sudden confusion, fever and a urinary catheter',
  'a 25-year-old runner with pain on the outer knee that worsens downhill',
  'a 45-year-old with episodic headaches, palpitations and very high blood pressure',
  'a 19-year-old with polyuria, polydipsia and weight loss over three weeks',
  'a 62-year-old smoker with a persistent cough and blood in the sputum',
];
const WRITING_FORMS = [
  'an essay',
  'a short story',
  'a persuasive op-ed',
  'a product description',
  'a sonnet',
  'a cover letter',
  'a blog post',
  'a speech',
  'a dialogue',
  'a limerick',
];
const WRITING_TOPICS = [
  'the ethics of gene editing',
  'a city that floats on the sea',
  'the importance of sleep for teenagers',
  'a noise-cancelling headset for open offices',
  'learning a musical instrument as an adult',
  'the first human colony on Mars',
  'why public libraries still matter',
  'an AI that becomes a gardener',
  'the history of the bicycle',
  'working four days a week',
];
const TARGET_LANGS = [
  'French',
  'German',
  'Spanish',
  'Japanese',
  'Chinese',
  'Korean',
  'Arabic',
  'Russian',
  'Portuguese',
  'Hindi',
  'Italian',
  'Turkish',
];
const SOURCE_SENTENCES = [
  'The meeting has been postponed until further notice because several board members are travelling.',
  'Please keep your receipt; refunds are only possible within thirty days of purchase.',
  'Researchers found that the new material conducts heat twice as well as copper.',
  'If the system detects an error, it will restart automatically and notify the administrator.',
  'Our grandmother used to tell us stories about the village where she grew up.',
  'The patient should take the medication twice a day with food and avoid alcohol.',
  'Despite the rain, thousands of people gathered in the square to celebrate the victory.',
  'The contract may be terminated by either party with ninety days written notice.',
];
const HISTORY = [
  'the causes and consequences of the Meiji Restoration',
  'why the Byzantine Empire lasted almost a thousand years longer than the Western Roman Empire',
  'the economic effects of the Black Death on European labour',
  'the role of the printing press in the Protestant Reformation',
  'how the Marshall Plan shaped post-war Western Europe',
  'the causes of the Haitian Revolution',
  'the impact of the Silk Road on the spread of technologies',
  'the decolonisation of Africa in the 1950s and 1960s',
];
const FINANCE = [
  'the net present value of a project costing {a}000 that returns {b}00 per year for 10 years at a {c}% discount rate',
  'how a rise in interest rates affects the price of a 10-year bond with a {c}% coupon',
  'the difference between EBITDA and free cash flow with a worked example',
  'whether a company with a current ratio of 0.{c} and debt-to-equity of {a} is at risk',
  'the Black-Scholes price of a call with spot {b}, strike {a}0, volatility 2{c}% and one year to expiry',
  'how to hedge currency risk for a company that earns in euros and pays suppliers in dollars',
];
const EXTRACTION_DOCS = [
  'Invoice 2024-{a}{b}: Acme Supplies Ltd, 14 Harbour Road, Leeds. 12 x printer toner at 38.50 GBP, 4 x A4 paper boxes at 21.00 GBP. VAT 20%. Due within 30 days.',
  'Dr. {name} saw the patient on 3 March. BP 142/91, HR 88. Prescribed lisinopril 10 mg daily. Follow-up in 6 weeks. Allergies: penicillin.',
  'Flight LH{a}{c}{b} from Frankfurt to Chicago departs 13:25 from gate B{c}, arrives 15:55 local time. Passenger {name}, seat {a}{c}C, one checked bag.',
  'The lease between {name} (tenant) and Northgate Properties begins 1 September for 12 months at 1,{b}50 per month, deposit equal to two months rent.',
];
const CLASSIFY_ITEMS = [
  'The battery died after two days and support never answered my emails.',
  'Absolutely love it, setup took five minutes and it just works.',
  'It is fine. Does what it says, nothing special.',
  'Your account has been suspended, click here to verify your password immediately.',
  'Team lunch moved to 1pm on Thursday, same place.',
  'Stocks rallied after the central bank signalled a pause in rate hikes.',
  'The striker scored twice in the final ten minutes to secure the title.',
];

function fill(template: string, rng: Rng): string {
  return template
    .replace(/\{a\}/g, () => String(rng.int(2, 9)))
    .replace(/\{b\}/g, () => String(rng.int(1, 9)))
    .replace(/\{c\}/g, () => String(rng.int(2, 8)))
    .replace(/\{name\}/g, () => rng.pick(NAMES));
}

function mathTask(rng: Rng): string {
  const a = rng.int(2, 40);
  const b = rng.int(2, 60);
  const c = rng.int(3, 15);
  switch (rng.int(0, 7)) {
    case 0:
      return `${rng.pick(NAMES)} buys ${a} notebooks at $${c} each and ${b} pens at $${(c / 4).toFixed(2)} each, then gets a ${c}% discount on the total. How much does ${rng.pick(['she', 'he', 'they'])} pay?`;
    case 1:
      return `Solve for x: ${a}x^2 - ${b}x + ${c} = 0.`;
    case 2:
      return `A bag contains ${a} red and ${b} blue marbles. Three are drawn without replacement. What is the probability that exactly two are red?`;
    case 3:
      return `Prove that the sum of the first n odd numbers equals n^2.`;
    case 4:
      return `Find the area of a triangle with vertices (0, 0), (${a}, ${c}) and (${b}, ${a}).`;
    case 5:
      return `Compute the integral of x^${rng.int(2, 5)} * e^(${c}x) dx.`;
    case 6:
      return `How many positive integers less than ${a * 100 + b} are divisible by ${c} but not by ${c + 2}?`;
    default:
      return `A tank fills in ${a} hours with pipe A and ${b} hours with pipe B, and drains in ${c + a} hours through pipe C. If all three are open, how long does it take to fill?`;
  }
}

function reasoningPuzzle(rng: Rng): string {
  const [p, q, r] = rng.sample(NAMES, 3);
  switch (rng.int(0, 4)) {
    case 0:
      return `${p}, ${q} and ${r} each own a different pet: a cat, a dog and a parrot. ${p} does not own the dog. The parrot owner is older than ${q}. ${r} is the youngest. Who owns which pet?`;
    case 1:
      return `A farmer must cross a river with a wolf, a goat and a cabbage. The boat holds the farmer and one item. How can everything get across safely?`;
    case 2:
      return `If all bloops are razzies and some razzies are lazzies, can we conclude that some bloops are lazzies? Explain.`;
    case 3:
      return `You have ${rng.int(8, 12)} coins and one is counterfeit and lighter. With a balance scale, what is the minimum number of weighings to find it, and how?`;
    default:
      return `${p} says "${q} is lying." ${q} says "${r} is lying." ${r} says "${p} and ${q} are both lying." Who is telling the truth?`;
  }
}

const TOOL_SCENARIOS = [
  'book the cheapest direct flight from {cityA} to {cityB} next Friday and add it to my calendar',
  'find the three most recent unpaid invoices in the billing system and email a reminder to each customer',
  'check the weather in {cityA} for the weekend and, if it will rain, move the picnic event to Sunday',
  "look up the current stock price of the five largest holdings in my portfolio and compute today's change",
  'create a support ticket for order {a}{b}{c}{a} and refund the shipping fee if it was late',
  'search the internal wiki for the on-call rotation and page whoever is on call for the database team',
];
const CITIES = [
  'Paris',
  'Berlin',
  'Tokyo',
  'Toronto',
  'Madrid',
  'Seoul',
  'Boston',
  'Dubai',
  'Lagos',
  'Sydney',
];

export function toolTask(rng: Rng): string {
  const scenario = fill(rng.pick(TOOL_SCENARIOS), rng)
    .replace('{cityA}', rng.pick(CITIES))
    .replace('{cityB}', rng.pick(CITIES));
  return `Using the available tools, ${scenario}. Plan the sequence of tool calls, call them, and explain how you used each result.`;
}

/** Output constraints operators vary to widen the student's coverage. */
const MODIFIERS = [
  'Use a table where it helps.',
  'Give two worked examples.',
  'Keep it under 200 words.',
  'Be rigorous and precise.',
  'Aim the explanation at a first-year undergraduate.',
  'Aim the explanation at a domain expert.',
  'List the assumptions you make.',
  'Format the answer in Markdown with headings.',
  'Mention common mistakes.',
  'End with a one-sentence summary.',
  'Include edge cases.',
  'Cite the relevant principles by name.',
  'Answer in a numbered list.',
  'Compare at least two approaches.',
  'Explain why the alternatives are wrong.',
  'Provide the answer as JSON with the fields "answer" and "explanation".',
  'Write for a non-native English speaker.',
  'Be concise.',
  'Give an intuitive explanation first, then the formal one.',
  'Add a short quiz question at the end.',
];

/** One task prompt of the given capability, with an output constraint half of the time. */
export function capabilityTask(capability: Capability, rng: Rng): string {
  const task = baseTask(capability, rng);
  return rng.chance(0.5) ? `${task} ${rng.pick(MODIFIERS)}` : task;
}

function baseTask(capability: Capability, rng: Rng): string {
  switch (capability) {
    case 'math':
      return mathTask(rng);
    case 'code': {
      const lang = rng.pick(LANGS);
      return rng.pick([
        `Write a ${lang} function that ${rng.pick(CODE_TASKS)}. Include the time and space complexity.`,
        `Implement, in ${lang}, a program that ${rng.pick(CODE_TASKS)}, with unit tests.`,
        `Explain how you would write code that ${rng.pick(CODE_TASKS)} and then give an idiomatic ${lang} implementation.`,
        `Find and fix the bug:\n\ndef ${rng.pick(['median', 'dedupe', 'chunk', 'window_sum'])}(xs, k):\n    out = []\n    for i in range(len(xs) - k):\n        out.append(sum(xs[i:i+k]))\n    return out`,
      ]);
    }
    case 'science':
      return (
        rng.pick([
          'Explain ',
          'Describe in detail ',
          'Give a rigorous explanation of ',
          'Explain to a graduate student ',
        ]) +
        rng.pick(SCIENCE) +
        '.'
      );
    case 'law':
      return rng.pick([
        `Analyse the legal position of ${rng.pick(LAW)}. Identify the issues, the applicable rules and the likely outcome.`,
        `Under common law principles, what claims and defences arise for ${rng.pick(LAW)}?`,
        `Draft a short legal memo on ${rng.pick(LAW)}.`,
      ]);
    case 'medicine':
      return rng.pick([
        `Give the differential diagnosis for ${rng.pick(MEDICINE)}, ranked by likelihood, and the next investigations.`,
        `A patient presents as follows: ${rng.pick(MEDICINE)}. What is the most likely diagnosis and initial management?`,
      ]);
    case 'writing':
      return `Write ${rng.pick(WRITING_FORMS)} about ${rng.pick(WRITING_TOPICS)}${rng.chance(0.5) ? ` in about ${rng.pick([150, 200, 300, 500])} words` : ''}.`;
    case 'translation':
      return `Translate into ${rng.pick(TARGET_LANGS)}: "${rng.pick(SOURCE_SENTENCES)}"`;
    case 'reasoning-puzzle':
      return reasoningPuzzle(rng);
    case 'tool-use':
      return toolTask(rng);
    case 'finance':
      return 'Calculate ' + fill(rng.pick(FINANCE), rng) + '.';
    case 'history':
      return (
        rng.pick([
          'Analyse ',
          'Discuss ',
          'Explain ',
          'Evaluate ',
          'Write an essay plan on ',
          "Compare historians' views on ",
        ]) +
        rng.pick(HISTORY) +
        rng.pick([
          '.',
          ', citing primary sources where possible.',
          ' in about 300 words.',
          ', with a timeline of key events.',
        ])
      );
    case 'data-extraction':
      return `Extract all entities and values from the text below as JSON.\n\n${fill(rng.pick(EXTRACTION_DOCS), rng)}`;
    case 'summarization':
      return `Summarize the key points of the following in ${rng.int(2, 5)} sentences:\n\n${rng
        .sample(SCIENCE, 3)
        .map((s) => `Researchers explained ${s}.`)
        .join(' ')}`;
    case 'classification':
      return `Classify the following text into one of: ${rng.pick(['positive, negative, neutral', 'spam, not spam', 'sports, business, politics, technology, personal'])}.\n\nText: ${rng.pick(CLASSIFY_ITEMS)}`;
  }
}
