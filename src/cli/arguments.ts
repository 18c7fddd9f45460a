// The command line of `npm run notify`, checked before anything is sent.
import { parseArgs } from 'node:util';
import { unstorableField } from '../validation/text.js';

export const USAGE =
  'usage: npm run notify -- <event-type> (--user <id>… | --broadcast) [--data <json>] [--key <idempotency key>] [--collapse <key>]';

export interface NotifyArguments {
  type: string;
  /** Empty with --broadcast. */
  users: string[];
  broadcast: boolean;
  data: unknown;
  idempotencyKey: string | undefined;
  collapseKey: string | undefined;
}

/** A mistake on the command line, said in one line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The arguments, or 'help' for --help; throws UsageError. */
export function parseNotifyArguments(argv: string[]): NotifyArguments | 'help' {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    // Node's message goes on with advice about `--`; its first sentence says what is wrong.
    throw new UsageError((error as Error).message.split('. ')[0]!);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const [type, ...extra] = positionals;
  if (!type) throw new UsageError(`which event type? ${USAGE}`);
  if (extra.length > 0) throw new UsageError(`one event type at a time, not also ${extra.join(' ')}`);
  const users = values.user ?? [];
  const broadcast = values.broadcast ?? false;
  if (broadcast && users.length > 0) throw new UsageError('--broadcast goes to every user: no --user with it');
  if (broadcast && values.collapse) throw new UsageError('--collapse does not go with --broadcast');
  if (!broadcast && users.length === 0) throw new UsageError('give at least one --user, or --broadcast');
  let data: unknown;
  if (values.data !== undefined) {
    try {
      data = JSON.parse(values.data);
    } catch (error) {
      throw new UsageError(`--data is not valid JSON (${(error as Error).message})`);
    }
  }
  const args = { type, users, broadcast, data, idempotencyKey: values.key, collapseKey: values.collapse };
  checkFields(args);
  return args;
}

/** The server's own rule, checked before calling it, and said as the server would say it. */
function checkFields({ type, users, data, idempotencyKey, collapseKey }: NotifyArguments): void {
  const fields = { type, recipients: users, data, idempotencyKey, collapseKey };
  for (const [field, value] of Object.entries(fields)) {
    // As the server says it (src/validation/check-storable.ts), without loading GraphQL into a command line.
    const found = unstorableField(value, field);
    if (found) throw new UsageError(`BAD_USER_INPUT ${found.field}: ${found.problem}`);
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      user: { type: 'string', short: 'u', multiple: true },
      data: { type: 'string', short: 'd' },
      key: { type: 'string' },
      collapse: { type: 'string' },
      broadcast: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
