// Which src/ module may import which: the data flow, lowest first. A module imports only
// modules before it, and only through their index.ts; inside a module any file may import any.
// Tests, e2e and bench import src modules through their index.ts too.
import path from 'node:path';

export const LAYERS = [
  'contracts', // wire records, config, errors: imports nothing of ours
  'text', // normalisation, hashing, embeddings, phrase lists
  'store', // SQLite/PostgreSQL persistence
  'ingest', // formats, the fast scanner, one read entry point
  'features', // per-event features, entity state, sketches, statistics
  'detect', // detectors, null models, fusion
  'link', // account linkage, synchronised activity, communities
  'findings', // account and cluster scoring, calibration, assembly, evaluation
  'report', // the one-file HTML report
  'intel', // STIX, sharing policy, TAXII client, matching
  'respond', // policy, decisions, cases, webhooks, canaries, probes
  'pipeline', // batch, live and scale-out drivers, worker threads, event sinks
  'sim', // the traffic simulator (never imported by production paths)
  'evaluate', // eval suite over simulator and corpora
  'gateway', // the enforcing proxy
  'hub', // the TAXII sharing hub
  'server', // the HTTP API and dashboard host
  'cli', // commands
];

const rank = new Map(LAYERS.map((m, i) => [m, i]));

// Modules only some modules above them may import: the simulator is for users who run
// `simulate`, `demo` and `eval`, never a production path (gateway, hub, server).
export const ONLY_FROM = { sim: ['evaluate', 'cli'] };

function srcModule(file, root) {
  const rel = path.relative(path.join(root, 'src'), file).split(path.sep);
  if (rel[0] === '..' || rel.length < 2) return undefined;
  return { module: rel[0], rest: rel.slice(1).join('/') };
}

export const moduleLayers = {
  meta: {
    type: 'problem',
    docs: { description: 'imports point down the layer order, across modules only through index.ts' },
    schema: [],
    messages: {
      notIndex: "Import module '{{target}}' through its index.ts only.",
      upward:
        "'{{from}}' may not import '{{target}}': imports point down the layer order (eslint/module-layers.js).",
      unknown: 'src/{{target}} is not in the layer order: add it to eslint/module-layers.js.',
      restricted: "'{{from}}' may not import '{{target}}': only {{allowed}} may (eslint/module-layers.js).",
    },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const from = srcModule(file, root);
    function check(node, spec) {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = srcModule(path.resolve(path.dirname(file), spec), root);
      if (!target) return;
      if (from && from.module === target.module) return;
      if (!rank.has(target.module)) {
        context.report({ node, messageId: 'unknown', data: { target: target.module } });
        return;
      }
      if (target.rest !== 'index.js') {
        context.report({ node, messageId: 'notIndex', data: { target: target.module } });
      }
      if (from) {
        if (!rank.has(from.module)) {
          context.report({ node, messageId: 'unknown', data: { target: from.module } });
        } else if (rank.get(target.module) > rank.get(from.module)) {
          context.report({ node, messageId: 'upward', data: { from: from.module, target: target.module } });
        } else if (ONLY_FROM[target.module] && !ONLY_FROM[target.module].includes(from.module)) {
          const allowed = ONLY_FROM[target.module].join(', ');
          context.report({
            node,
            messageId: 'restricted',
            data: { from: from.module, target: target.module, allowed },
          });
        }
      }
    }
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { 'module-layers': moduleLayers } };
