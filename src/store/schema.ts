import type { Generated, Selectable } from "kysely";

/**
 * The database as Kysely sees it. Times are integer milliseconds since the epoch (bigint in PostgreSQL, parsed
 * back to numbers by the postgres dialect), booleans are 0/1 integers, JSON is text: one set of queries serves
 * SQLite and PostgreSQL alike.
 */
export interface Database {
  api_keys: ApiKeyTable;
  files: FileTable;
  tasks: TaskTable;
  tracks: TrackTable;
  messages: MessageTable;
  attempts: AttemptTable;
  settings: SettingTable;
  key_generation: KeyGenerationTable;
  voices: VoiceTable;
  storage_usage: StorageUsageTable;
  rate_counters: RateCounterTable;
  console_sessions: ConsoleSessionTable;
}

/**
 * A console session (`tenant`: signed in with an API key; `operator`: with the admin token) or a one-time sign-in
 * link (`link`, from `hookline console-link`), by the SHA-256 of its token (written by src/console).
 */
export interface ConsoleSessionTable {
  id: string;
  kind: "tenant" | "operator" | "link";
  key_id: string | null;
  created_at: number;
  expires_at: number;
}

/** Requests of one key in one bucket (`api`, `redeliver`, …) during the minute starting at window_start. */
export interface RateCounterTable {
  owner_id: string;
  bucket: string;
  window_start: number;
  count: number;
}

/** One key's stored bytes: live files plus the predicted output of queued tasks (written by src/quota). */
export interface StorageUsageTable {
  owner_id: string;
  bytes: number;
}

export interface ApiKeyTable {
  id: string;
  name: string;
  key_hash: string;
  key_hint: string;
  webhook_key: string;
  previous_webhook_key: string | null;
  previous_key_until: number | null;
  hmac_enabled: number;
  credits: number | null;
  created_at: number;
  revoked_at: number | null;
  /** A standing failure simulation for this key's tasks (its text form), or null. */
  simulate: string | null;
  /** API requests per minute for this key: null = the server's default, 0 = no limit. */
  rate_limit: number | null;
}

export interface FileTable {
  id: string;
  owner_id: string;
  /** `uploadPath/fileName` for uploads; `results/<taskId>/<name>` for results. */
  path: string;
  file_name: string;
  storage_key: string;
  size: number;
  mime_type: string;
  kind: string;
  created_at: number;
  expires_at: number | null;
  /** Set when a later upload took the same path; the row stays for tracks registered from it. */
  superseded_at: number | null;
  deleted_at: number | null;
  /** Set by retention: the bytes are gone, links answer 410. */
  expired_at: number | null;
}

export interface TaskTable {
  id: string;
  owner_id: string;
  family: string;
  /** The wire status of the family (PENDING, SUCCESS, wait_validating, …). */
  status: string;
  /** What the runner should do next, or null when nothing is queued. */
  action: string | null;
  input: string;
  result: string | null;
  error_code: number | null;
  error_message: string | null;
  callback_url: string | null;
  parent_id: string | null;
  /** Only-once key (e.g. `wav:<audioId>`); the family decides when an existing task blocks a new one. */
  dedupe_key: string | null;
  /** The only-once key while this task holds its slot (unique per owner); null once the slot was handed on. */
  standing_key: string | null;
  /** Claim order: start-time fair queueing across keys (tasks/queue.ts). */
  fair_tag: Generated<number>;
  /** The predicted output this task holds against its key's quota while queued (released when it completes). */
  reserved_bytes: Generated<number>;
  run_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  runs: number;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  /** When a runner last claimed the task (the start of its latest run); null before the first claim. */
  started_at: Generated<number | null>;
}

/** A task row as read back (generated columns filled in). */
export type TaskRow = Selectable<TaskTable>;

export interface TrackTable {
  id: string;
  task_id: string;
  owner_id: string;
  file_id: string;
  title: string | null;
  /** From the file's tags (migration 0018); null when it names none. */
  artist: string | null;
  duration_s: number;
  sample_rate: number;
  channels: number;
  codec: string;
  created_at: number;
}

export interface MessageTable {
  id: string;
  task_id: string;
  owner_id: string;
  event: string;
  url: string;
  body: string;
  /** The task id the reseller signature covers. */
  sign_task_id: string;
  /** pending · delivering · delivered · failed (given up or final). */
  state: string;
  /** Attempts in the current round (a manual redelivery starts a new round). */
  round_attempts: number;
  total_attempts: number;
  next_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  delivered_at: number | null;
  /**
   * Text kept for the sender's extension (src/delivery `SenderExtension`), opaque to the outbox: today the sending
   * part of a task's failure simulation (src/simulation); the column keeps its first name. Null for none.
   */
  simulate: string | null;
  /**
   * What started the current round, logged as the trigger of its first attempt: `auto` (the first round),
   * `manual` (a redelivery), `duplicate` (a simulated repetition).
   */
  round_trigger: Generated<string>;
  /** The host:port the URL reaches, lower-cased (`lib/target-host.ts`): the sender caps callbacks per host. */
  target_host: Generated<string>;
}

export interface AttemptTable {
  id: Generated<number>;
  message_id: string;
  task_id: string;
  number: number;
  trigger: string;
  started_at: number;
  latency_ms: number;
  status_code: number | null;
  error_class: string | null;
  error_message: string | null;
  response_excerpt: string | null;
  outcome: string;
  next_at: number | null;
  /** The headers sent, as JSON (null for attempts recorded before they were kept). */
  request_headers: string | null;
  /** Where a stream attempt went (the developer's forward URL); null for attempts to the message's own URL. */
  target: string | null;
}

export interface SettingTable {
  key: string;
  value: string;
}

/** One row (id 1) whose counter moves on with every change to `api_keys` (a trigger): key caches compare it. */
export interface KeyGenerationTable {
  id: number;
  n: number;
}

/** A voice profile made by the custom-voice flow (spec 6): what the speaker check compares against. */
export interface VoiceTable {
  /** `voice_` + 32 hex (spec 1.4). */
  id: string;
  owner_id: string;
  name: string | null;
  description: string | null;
  style: string | null;
  skill_level: string;
  /** The validation task (A) whose source segment the voice was made from. */
  source_task_id: string;
  /** The generate task (B) that verified and created it. */
  generate_task_id: string;
  /** The speaker embedding as a JSON array; emptied when the voice is deleted. */
  embedding: string;
  created_at: number;
  deleted_at: number | null;
}
