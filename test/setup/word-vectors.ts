import { prepareWordVectors } from '../../src/text/index.js';

export default function setup(): void {
  prepareWordVectors();
}
