import { type ErrorCode, HooklineError } from "../lib/errors.js";
import { exec, query, statement, type TaskRow, type Tx } from "../store/index.js";
import { type Task, toTask } from "./model.js";
import { insertTask, type NewTask } from "./queue.js";

/** When a task holding an only-once slot still blocks a new one, and how the new one is refused. */
export interface OnlyOnceRule {
  /** The slot, e.g. `cover:<musicTaskId>`; one holder per owner and key (a unique index: migration 0008). */
  readonly key: string;
  /** Whether the holder still stands (typically: pending, or succeeded with its files kept). */
  stands(holder: Task): boolean | Promise<boolean>;
  /** How a newcomer is refused while the holder stands; the error carries the holder's `taskId` (spec 4.1, 5.1). */
  readonly refusal: { readonly code: ErrorCode; readonly message: string };
}

const HOLDER = statement<TaskRow>("select * from tasks where owner_id = ? and standing_key = ?");
/** Conditional: of two submissions handing on the same slot, only the first changes anything. */
const HAND_ON = statement("update tasks set standing_key = null where id = ? and standing_key = ?");

/**
 * Inserts the task `make` answers, taking an only-once slot (spec 4.1, 5.1, 13): refused while the slot's holder stands;
 * otherwise the holder hands the slot on and the new task takes it, in the caller's transaction. The database
 * decides between concurrent submissions, in one process or many: the insert writes nothing while another task
 * holds the slot (on PostgreSQL it first waits for a concurrent holder's transaction to end), and the holder is
 * then read and judged. The common case (no holder) costs the insert alone.
 *
 * The caller's transaction (or savepoint) must roll back when this throws: `make` runs first (it may charge
 * credits and reserve storage), and a refusal undoes what it did. A refusal of the slot wins over an error of
 * `make`, so a duplicate request is answered as one whatever else is wrong with it.
 *
 * @example
 * await insertOnlyOnce(trx, key.id, async () => task, now, {
 *   key: `cover:${musicTaskId}`,
 *   stands: (holder) => holder.status === "PENDING",
 *   refusal: { code: "duplicate", message: "A cover task exists" },
 * });
 */
export async function insertOnlyOnce(
  trx: Tx,
  ownerId: string,
  make: () => Promise<NewTask>,
  now: number,
  rule: OnlyOnceRule,
): Promise<void> {
  /** Refuses while the holder stands; else hands its slot on (a no-op when there is none). */
  const judgeHolder = async (): Promise<void> => {
    const [row] = await query(trx, HOLDER, [ownerId, rule.key]);
    if (!row) return;
    const holder = toTask(row);
    if (await rule.stands(holder)) {
      throw new HooklineError(rule.refusal.code, rule.refusal.message, { data: { taskId: holder.id } });
    }
    await exec(trx, HAND_ON, [holder.id, rule.key]);
  };
  let task: NewTask;
  try {
    task = await make();
  } catch (error) {
    await judgeHolder();
    throw error;
  }
  // A holder shows itself by an empty insert. Judged, it stands (refused) or hands the slot on, and the next insert
  // takes it; a third insert is needed only if another submission took the slot in between, and so on once more.
  for (let round = 0; round < 3; round++) {
    if (await insertTask(trx, { ...task, ownerId, standingKey: rule.key }, now)) return;
    await judgeHolder();
  }
  throw new HooklineError("unavailable", "Too many concurrent requests for the same record; try again");
}
