// Subscribe/abort cycles: open a notificationAdded stream, wait until the server has set it up (its 200
// answer), abort it; `concurrency` at a time, `cycles` in all, over many users. Driven over IPC.
import { ADDED_SUBSCRIPTION } from '../lib/operations.js';
import { LOCAL_ADDRESSES, openSse } from '../lib/sse.js';
import { signBenchToken, userIdOf } from '../lib/tokens.js';

const { JWT_SECRET } = process.env;
const users = Number(process.env.BENCH_USERS);
const tokens = Array.from({ length: users }, (_, i) => signBenchToken(JWT_SECRET!, userIdOf(i)));

async function churn({ url, cycles, concurrency }: { url: string; cycles: number; concurrency: number }) {
  const started = performance.now();
  let next = 0;
  let failed = 0;
  let firstError = '';
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < cycles) {
        const i = next++;
        try {
          const stream = await openSse({
            url: `${url}/graphql`,
            token: tokens[i % users]!,
            query: ADDED_SUBSCRIPTION,
            localAddress: LOCAL_ADDRESSES[i % LOCAL_ADDRESSES.length],
          });
          stream.close();
          await stream.closed;
        } catch (error) {
          failed++;
          firstError ||= (error as Error).message;
        }
      }
    }),
  );
  return { cycles, failed, firstError, ms: performance.now() - started };
}

process.on('message', (message: { id: number; url: string; cycles: number; concurrency: number }) => {
  churn(message).then(
    (value) => process.send?.({ id: message.id, value }),
    (error: Error) => process.send?.({ id: message.id, value: { error: error.message } }),
  );
});
