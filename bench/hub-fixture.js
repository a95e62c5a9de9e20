// The hub every hub bench serves: one member, org-a (password `bench-password`, and a signing
// key when given), in group g with read and write on one collection, listening on loopback.
// `hubMod` and `store` are the hub and store modules of the build under test (benches compare
// builds, so they are passed in rather than imported here).
export async function openBenchHub(hubMod, store, db, member = {}) {
  await store.runMigrations(db, store.hubMigrations);
  const cred = await hubMod.admitMember(db, 'org-a', { password: 'bench-password', ...member });
  await hubMod.createGroup(db, 'g');
  await hubMod.joinGroup(db, 'g', 'org-a');
  const cid = await hubMod.createCollection(db, { title: 'c' });
  await hubMod.grantGroup(db, cid, 'g', { read: true, write: true });
  const app = hubMod.createHubServer({ db });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base, cid, cred };
}
