/** One flag table per command line tool, read by parseArgs and printed by --help, so the two cannot drift apart. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type CliOptions = Record<string, { type: 'string' | 'boolean'; default?: string | boolean; help: string }>;

const HELP_FLAG: CliOptions = { help: { type: 'boolean', default: false, help: 'print this help and exit' } };

/** The --help text: usage, then each flag with its default. */
export function helpText(usage: string, options: CliOptions): string {
  const rows = Object.entries({ ...options, ...HELP_FLAG }).map(([name, o]) => {
    const flag = `--${name}${o.type === 'string' ? ' VALUE' : ''}`;
    const fallback = o.type === 'string' && o.default !== undefined ? ` (default ${o.default})` : '';
    return `  ${flag.padEnd(26)}${o.help}${fallback}`;
  });
  return [`usage: ${usage}`, '', 'options:', ...rows].join('\n');
}

/**
 * parseArgs over the table; --help prints the help and exits, and an unknown
 * or malformed flag is an error that points to --help.
 */
export function parseCli(usage: string, options: CliOptions, argv: string[], allowPositionals = false) {
  const table = { ...options, ...HELP_FLAG };
  const config = Object.fromEntries(Object.entries(table).map(([name, { help: _, ...rest }]) => [name, rest])) as ParseArgsConfig['options'];
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: config, allowPositionals, strict: true });
  } catch (error) {
    const command = usage.split(' -- ')[0];
    throw new Error(`${error instanceof Error ? error.message : String(error)} (see ${command} -- --help)`);
  }
  if (parsed.values.help === true) {
    console.log(helpText(usage, options));
    process.exit(0);
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}
