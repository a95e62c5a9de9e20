// Child process of bench/hub.js: one hub server of a given build (its own process, so the
// client's load is not on the server's event loop). Argv: <dist dir> <database url> [pg schema].
// Env HUB_BENCH_PUBKEY: the publisher's ed25519 public key (hex). Prints one JSON line with the
// URL, collection and credentials, then serves until stdin closes.
const [distDir, url, schema] = process.argv.slice(2);
const dist = new URL(`file://${distDir.replace(/\/?$/, '/')}`);
const imp = (p) => import(new URL(p, dist).href);
const hubMod = await imp('hub/index.js');
const store = await imp('store/index.js');

const db = store.openDatabase({ url, ...(schema ? { schema } : {}) });
await store.runMigrations(db, store.hubMigrations);
const cred = await hubMod.admitMember(db, 'org-a', {
  password: 'bench-password',
  publicKeyHex: process.env.HUB_BENCH_PUBKEY,
  keyId: 'org-a-ed25519-1',
});
await hubMod.createGroup(db, 'g');
await hubMod.joinGroup(db, 'g', 'org-a');
const cid = await hubMod.createCollection(db, { title: 'c' });
await hubMod.grantGroup(db, cid, 'g', { read: true, write: true });
const app = hubMod.createHubServer({ db });
const base = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ base, cid, apiKey: cred.apiKey, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await app.close();
  await db.destroy();
  process.exit(0);
});
