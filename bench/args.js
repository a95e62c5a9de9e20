// The benches' command line: `--name value` options and `--flag` switches.

/** The bench's arguments (after `node bench/x.js`). */
export const args = process.argv.slice(2);

/** The value after `--name`, or `dflt` when it is not given. */
export const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1];
};
