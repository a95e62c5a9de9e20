import type { Rng } from './rng.js';

/**
 * HTTP clients seen on a model API: official SDKs at many versions, generic HTTP libraries,
 * frameworks and browsers. Every family here is used by ordinary customers; attackers pick
 * from the same list.
 */
export type ClientFamily =
  | 'openai-python'
  | 'openai-node'
  | 'python-requests'
  | 'httpx'
  | 'aiohttp'
  | 'node-fetch'
  | 'axios'
  | 'curl'
  | 'go'
  | 'langchain'
  | 'litellm'
  | 'browser'
  | 'java'
  | 'dotnet'
  | 'postman';

const PY = ['3.9.19', '3.10.14', '3.11.9', '3.11.10', '3.12.4', '3.12.7', '3.13.0'];

function version(rng: Rng, major: number, minors: [number, number], patches = 12): string {
  return `${major}.${rng.int(minors[0], minors[1])}.${rng.int(0, patches)}`;
}

export function userAgent(family: ClientFamily, rng: Rng): string {
  switch (family) {
    case 'openai-python':
      return `OpenAI/Python ${version(rng, 1, [30, 58], 9)}`;
    case 'openai-node':
      return `OpenAI/JS ${version(rng, 4, [52, 77], 9)}`;
    case 'python-requests':
      return `python-requests/2.${rng.int(28, 32)}.${rng.int(0, 3)}`;
    case 'httpx':
      return `python-httpx/0.${rng.int(25, 28)}.${rng.int(0, 2)}`;
    case 'aiohttp':
      return `Python/${rng.pick(PY).slice(0, 4)} aiohttp/3.${rng.int(8, 11)}.${rng.int(0, 11)}`;
    case 'node-fetch':
      return rng.chance(0.5) ? 'node' : `node-fetch/1.0 (+https://github.com/bitinn/node-fetch)`;
    case 'axios':
      return `axios/1.${rng.int(4, 7)}.${rng.int(0, 9)}`;
    case 'curl':
      return `curl/${rng.pick(['7.81.0', '7.88.1', '8.1.2', '8.4.0', '8.5.0', '8.7.1', '8.9.1'])}`;
    case 'go':
      return 'Go-http-client/' + rng.pick(['1.1', '2.0']);
    case 'langchain':
      return `langchain-openai/0.${rng.int(1, 2)}.${rng.int(0, 14)} OpenAI/Python ${version(rng, 1, [40, 58], 9)}`;
    case 'litellm':
      return `litellm/1.${rng.int(40, 55)}.${rng.int(0, 20)}`;
    case 'browser': {
      const chrome = rng.int(124, 131);
      return rng.pick([
        `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome}.0.0.0 Safari/537.36`,
        `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome}.0.0.0 Safari/537.36`,
        `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.${rng.int(2, 6)} Safari/605.1.15`,
        `Mozilla/5.0 (X11; Linux x86_64; rv:${rng.int(125, 132)}.0) Gecko/20100101 Firefox/${rng.int(125, 132)}.0`,
      ]);
    }
    case 'java':
      return `Java-http-client/${rng.pick(['17.0.11', '21.0.3', '21.0.4'])}`;
    case 'dotnet':
      return `OpenAI/2.${rng.int(0, 1)}.0 (.NET 8.0.${rng.int(4, 10)}; Microsoft Windows 10.0.22631)`;
    case 'postman':
      return `PostmanRuntime/7.${rng.int(36, 42)}.${rng.int(0, 3)}`;
  }
}

/** How often ordinary customers use each family (server-side apps lean on the SDKs). */
export const BENIGN_CLIENT_MIX: readonly (readonly [ClientFamily, number])[] = [
  ['openai-python', 34],
  ['openai-node', 20],
  ['python-requests', 8],
  ['httpx', 5],
  ['aiohttp', 3],
  ['node-fetch', 3],
  ['axios', 4],
  ['curl', 3],
  ['go', 3],
  ['langchain', 6],
  ['litellm', 4],
  ['browser', 3],
  ['java', 1.5],
  ['dotnet', 1.5],
  ['postman', 1],
];
