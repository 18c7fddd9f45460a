// EXPLAIN ANALYZE of the statements the app actually sent (captured by bench/lib/probe.ts), run with
// the parameters of one real call, on the loaded dataset. Writes run inside a rolled-back transaction.
import pg from 'pg';

export interface CapturedStatement {
  text: string;
  values: unknown[];
  count: number;
}

export interface Plan {
  text: string;
  count: number;
  plan: string;
  executionMs: number;
  sequentialScan: boolean;
}

const SKIP = /^\s*(BEGIN|COMMIT|ROLLBACK|SET|SHOW|SELECT 1\b|DEALLOCATE)/i;

const explain = async (client: pg.Client, statement: CapturedStatement) =>
  (
    await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${statement.text}`,
      statement.values,
    )
  ).rows
    .map((row) => row['QUERY PLAN'])
    .join('\n');

/**
 * The captured parameters are those of a call that already ran, so an INSERT would now hit its own row.
 * Inside the (rolled-back) transaction, remove that row first: the plan is then the one the app got.
 */
async function explainWrite(client: pg.Client, statement: CapturedStatement): Promise<string> {
  const table = /^\s*INSERT INTO\s+((?:"?\w+"?\.)?"?\w+"?)/i.exec(statement.text)?.[1];
  if (!table) return explain(client, statement);
  await client.query('SAVEPOINT before_explain');
  try {
    const plan = await explain(client, statement);
    if (!/Conflict Resolution: NOTHING[\s\S]*Tuples Inserted: 0/.test(plan)) return plan;
    // ON CONFLICT DO NOTHING took the conflict path: the row is there under one of the uuid parameters.
    const ids = statement.values.filter((value) => typeof value === 'string' && UUID.test(value));
    await client.query('ROLLBACK TO SAVEPOINT before_explain');
    await client.query(`DELETE FROM ${table} WHERE id = ANY($1::uuid[])`, [ids]);
    return await explain(client, statement);
  } catch (error) {
    const { code, detail } = error as { code?: string; detail?: string };
    const key = /^Key \(([^)]+)\)=\(([^)]+)\) already exists/.exec(detail ?? '');
    if (code !== '23505' || !key) throw error;
    await client.query('ROLLBACK TO SAVEPOINT before_explain');
    const columns = key[1]!.split(', ');
    const values = key[2]!.split(', ');
    await client.query(
      `DELETE FROM ${table} WHERE ${columns.map((column, i) => `${column} = $${i + 1}`).join(' AND ')}`,
      values,
    );
    return explain(client, statement);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function explainStatements(url: string, statements: CapturedStatement[]): Promise<Plan[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const plans: Plan[] = [];
  try {
    for (const statement of statements) {
      if (SKIP.test(statement.text)) continue;
      await client.query('BEGIN');
      try {
        const plan = await explainWrite(client, statement);
        plans.push({
          text: statement.text,
          count: statement.count,
          plan,
          executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? Number.NaN),
          sequentialScan: /Seq Scan/.test(plan),
        });
      } catch (error) {
        plans.push({
          text: statement.text,
          count: statement.count,
          plan: `(could not explain: ${(error as Error).message})`,
          executionMs: Number.NaN,
          sequentialScan: false,
        });
      } finally {
        await client.query('ROLLBACK');
      }
    }
  } finally {
    await client.end();
  }
  return plans.sort((a, b) => b.count - a.count);
}
