import type { Command } from 'commander';
import type * as HubModule from '../../hub/index.js';
import type * as StoreModule from '../../store/index.js';
import {
  HubAuditListConfig,
  HubCollectionAddConfig,
  HubCollectionGrantConfig,
  HubConfig,
  HubGroupAddConfig,
  HubMemberAddConfig,
  HubMemberKeyConfig,
  HubServeConfig,
  UserError,
} from '../../contracts/index.js';
import { addConfigFlags, configAction, configFromFlags } from '../config-flags.js';
import { CheckFailedError } from '../exit-status.js';
import { listenOrExplain } from '../listen.js';

const out = (s: string): void => void process.stdout.write(`${s}\n`);

interface DbFlags {
  databaseUrl?: string;
}

type HubModules = typeof HubModule & typeof StoreModule;

/** The hub and its database code, loaded when a hub command runs (not with every command). */
const hubModules = async (): Promise<HubModules> => {
  const [hub, store] = await Promise.all([import('../../hub/index.js'), import('../../store/index.js')]);
  return { ...hub, ...store };
};

const withDb = async <T>(
  f: DbFlags,
  fn: (db: Awaited<ReturnType<HubModules['openHubDatabase']>>, lib: HubModules) => Promise<T>,
): Promise<T> => {
  const m = await hubModules();
  const db = await m.openHubDatabase(f.databaseUrl ? { url: f.databaseUrl } : {});
  try {
    return await fn(db, m);
  } finally {
    await db.destroy();
  }
};

/** Hub flags of a subcommand (database), read from its parent `hub` command. */
const db = (cmd: Command): DbFlags => configFromFlags(HubConfig, cmd.optsWithGlobals());

export function registerHub(program: Command): void {
  const hub = addConfigFlags(
    program
      .command('hub')
      .description('the sharing hub: TAXII 2.1 server, members, groups, collections, audit'),
    HubConfig,
  );

  registerHubServe(hub);
  registerMemberCommands(hub);
  registerGroupCommands(hub);
  registerAuditCommands(hub);
}

/** `hub serve`: the TAXII 2.1 server. */
function registerHubServe(hub: Command): void {
  const serve = hub.command('serve').description('serve TAXII 2.1 at /taxii2/ and /api1/');
  configAction(serve, HubServeConfig, async (f, _args, cmd) => {
    const { openHubDatabase, createHubServer } = await hubModules();
    const database = await openHubDatabase(db(cmd).databaseUrl ? { url: db(cmd).databaseUrl } : {});
    const app = createHubServer({
      db: database,
      ...(f.title ? { title: f.title } : {}),
      authFailuresPerMinute: f.authFailuresPerMinute,
      logger: true,
    });
    const address = await listenOrExplain({ host: f.host, port: f.port }, () =>
      app.listen({ host: f.host, port: f.port }),
    ).catch(async (err: unknown) => {
      await database.destroy();
      throw err;
    });
    out(`hub listening at ${address}/taxii2/`);
    const stop = (): void => void app.close().then(() => database.destroy());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** `hub member …`: member organisations and their credentials. */
function registerMemberCommands(hub: Command): void {
  const member = hub.command('member').description('member organisations');
  const add = member
    .command('add')
    .description('admit a member; prints its password and API key once')
    .argument('<name>', 'member name');
  configAction(add, HubMemberAddConfig, async (f, [name]: [string], cmd) => {
    const c = await withDb(db(cmd), (d, lib) =>
      lib.admitMember(d, name, {
        ...(f.publicKey ? { publicKeyHex: f.publicKey } : {}),
        ...(f.keyId ? { keyId: f.keyId } : {}),
        discloseSightings: f.discloseSightings,
      }),
    );
    out(
      `member ${c.member}\npassword ${c.password}\napi key  ${c.apiKey}\n(shown once; only hashes are stored)`,
    );
  });
  const key = member
    .command('key')
    .description('register or rotate a member’s signing key')
    .argument('<name>', 'member name');
  configAction(key, HubMemberKeyConfig, async (f, [name]: [string], cmd) => {
    await withDb(db(cmd), (d, lib) => lib.registerSigningKey(d, name, f.publicKey, f.keyId));
    out(`registered key ${f.keyId} for ${name}`);
  });

  member
    .command('password')
    .argument('<name>', 'member name')
    .description('set a new generated password; the old one stops working at once; prints it once')
    .action(async (name: string, _f: unknown, cmd: Command) => {
      const password = await withDb(db(cmd), (d, lib) => lib.setMemberPassword(d, name));
      out(`member ${name}\npassword ${password}\n(shown once; only the hash is stored)`);
    });
  member
    .command('api-key')
    .argument('<name>', 'member name')
    .description('issue a new API key; the old one stops working at once; prints it once')
    .action(async (name: string, _f: unknown, cmd: Command) => {
      const apiKey = await withDb(db(cmd), (d, lib) => lib.rotateMemberApiKey(d, name));
      out(`member ${name}\napi key  ${apiKey}\n(shown once; only the hash is stored)`);
    });
  member
    .command('revoke')
    .argument('<name>', 'member name')
    .description('remove a member’s password and API key; its requests fail at once')
    .action(async (name: string, _f: unknown, cmd: Command) => {
      await withDb(db(cmd), (d, lib) => lib.revokeMemberCredentials(d, name));
      out(`revoked the password and API key of ${name}`);
    });
}

/** `hub group …` and `hub collection …`: who may read and write what. */
function registerGroupCommands(hub: Command): void {
  const group = hub.command('group').description('sharing groups');
  const groupAdd = group
    .command('add')
    .description('create a sharing group (collections are granted to groups)')
    .argument('<name>', 'group name');
  configAction(groupAdd, HubGroupAddConfig, async (f, [name]: [string], cmd) => {
    await withDb(db(cmd), (d, lib) => lib.createGroup(d, name, f.membersVisible));
    out(`group ${name}`);
  });
  group
    .command('join')
    .description('put a member in a group; it gets what the group is granted')
    .argument('<group>', 'group name')
    .argument('<member>', 'member name')
    .action(async (g: string, m: string, _f: unknown, cmd: Command) => {
      await withDb(db(cmd), (d, lib) => lib.joinGroup(d, g, m));
      out(`${m} is in ${g}`);
    });

  const collection = hub.command('collection').description('TAXII collections');
  const collectionAdd = collection
    .command('add')
    .description('create a TAXII collection; prints its id')
    .argument('<title>', 'collection title');
  configAction(collectionAdd, HubCollectionAddConfig, async (f, [title]: [string], cmd) => {
    const id = await withDb(db(cmd), (d, lib) =>
      lib.createCollection(d, {
        title,
        ...(f.id ? { id: f.id } : {}),
        ...(f.description ? { description: f.description } : {}),
      }),
    );
    out(`collection ${id}`);
  });
  const grant = collection
    .command('grant')
    .description('let a group read and/or publish to a collection')
    .argument('<collection>', 'collection id')
    .argument('<group>', 'group name');
  configAction(grant, HubCollectionGrantConfig, async (f, [c, g]: [string, string], cmd) => {
    if (!f.read && !f.write) throw new UserError('INVALID_ARGUMENT', 'Grant --read, --write or both.');
    await withDb(db(cmd), (d, lib) => lib.grantGroup(d, c, g, { read: f.read, write: f.write }));
    out(
      `group ${g}: ${[f.read ? 'read' : '', f.write ? 'write' : ''].filter(Boolean).join(' and ')} on ${c}`,
    );
  });
}

/** `hub audit …`: the hash-chained audit log. */
function registerAuditCommands(hub: Command): void {
  const audit = hub.command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description('recompute the chain; exits non-zero if any entry was altered or removed')
    .action(async (_f: unknown, cmd: Command) => {
      const v = await withDb(db(cmd), (d, lib) => lib.verifyHubAudit(d));
      if (!v.ok)
        throw new CheckFailedError(
          'CONFLICT',
          `audit chain broken at entry ${v.brokenAt}: ${v.reason} (${v.entries} entries verified before it).`,
        );
      out(`audit chain intact: ${v.entries} entries`);
    });
  const list = audit
    .command('list')
    .description('print the newest audit entries: seq, time, actor, action, detail');
  configAction(list, HubAuditListConfig, async (f, _args, cmd) => {
    for (const e of await withDb(db(cmd), (d, lib) => lib.listHubAudit(d, f.limit)))
      out(`${e.seq}\t${e.at}\t${e.actor}\t${e.action}\t${JSON.stringify(e.detail)}`);
  });
}
