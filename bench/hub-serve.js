// Child process of bench/hub.js: one hub server of a given build (its own process, so the
// client's load is not on the server's event loop). Argv: <dist dir> <database url> [pg schema].
// Env HUB_BENCH_PUBKEY: the publisher's ed25519 public key (hex). Prints one JSON line with the
// URL, collection and credentials, then serves until stdin closes.
import { openBenchHub } from './hub-fixture.js';

const [distDir, url, schema] = process.argv.slice(2);
const dist = new URL(`file://${distDir.replace(/\/?$/, '/')}`);
const imp = (p) => import(new URL(p, dist).href);
const hubMod = await imp('hub/index.js');
const store = await imp('store/index.js');

const db = store.openDatabase({ url, ...(schema ? { schema } : {}) });
const { app, base, cid, cred } = await openBenchHub(hubMod, store, db, {
  publicKeyHex: process.env.HUB_BENCH_PUBKEY,
  keyId: 'org-a-ed25519-1',
});
process.stdout.write(`${JSON.stringify({ base, cid, apiKey: cred.apiKey, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await app.close();
  await db.destroy();
  process.exit(0);
});
