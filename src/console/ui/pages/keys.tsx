import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, messageOf, session } from "../api.js";
import { when } from "../format.js";
import { ErrorLine } from "./error-line.js";

interface KeyView {
  readonly keyId: string;
  readonly name: string;
  readonly hint: string;
  readonly createTime: string | null;
  readonly revokeTime: string | null;
  readonly hmacEnabled: boolean;
  readonly credits: number | null;
  readonly simulate: string | null;
  readonly rateLimit: number | null;
  readonly webhookKeyRotatedUntil: string | null;
}

/** Secrets shown once, right after they were made: nothing can show them again. */
interface Shown {
  readonly title: string;
  readonly lines: [string, string][];
}

const ADMIN = "/api/v1/hookline/admin/keys";

/** One setting of a key in its table cell: a field and its Set button; an empty field sets null (the default). */
function SettingForm(props: {
  id: string;
  label: string;
  placeholder: string;
  size: number;
  numeric?: boolean;
  initial: string;
  disabled: boolean;
  onSet(value: string | null): Promise<void>;
}) {
  const value = useSignal(props.initial);
  return (
    <form
      class="mini"
      onSubmit={(e) => {
        e.preventDefault();
        const v = value.value.trim();
        void props.onSet(v === "" ? null : v);
      }}
    >
      <label for={props.id} class="sr-only">
        {props.label}
      </label>
      <input
        id={props.id}
        inputMode={props.numeric ? "numeric" : undefined}
        size={props.size}
        placeholder={props.placeholder}
        value={value.value}
        disabled={props.disabled}
        onInput={(e) => (value.value = e.currentTarget.value)}
      />
      <button type="submit" disabled={props.disabled}>
        Set
      </button>
    </form>
  );
}

function KeyRow(props: { k: KeyView; onChanged(shown?: Shown): void; onError(message: string): void }) {
  const { k } = props;
  const confirming = useSignal(false);
  const renaming = useSignal(false);
  const name = useSignal(k.name);
  const act = async (method: string, path: string, body?: unknown, shown?: (r: unknown) => Shown) => {
    try {
      const r = await api<unknown>(method, path, body);
      props.onChanged(shown?.(r));
    } catch (err) {
      props.onError(messageOf(err));
    }
  };
  const base = `${ADMIN}/${encodeURIComponent(k.keyId)}`;
  const revoked = k.revokeTime !== null;
  return (
    <tr data-key-name={k.name} class={revoked ? "revoked" : ""}>
      <th scope="row">
        {renaming.value ? (
          <form
            class="mini"
            onSubmit={(e) => {
              e.preventDefault();
              void act("PATCH", base, { name: name.value.trim() });
            }}
          >
            <label for={`name-${k.keyId}`} class="sr-only">
              New name for {k.name}
            </label>
            <input
              id={`name-${k.keyId}`}
              required
              maxLength={64}
              size={12}
              value={name.value}
              onInput={(e) => (name.value = e.currentTarget.value)}
            />
            <button type="submit">Save</button>
          </form>
        ) : (
          <>
            {k.name}{" "}
            {!revoked && (
              <button type="button" class="link" onClick={() => (renaming.value = true)}>
                Rename<span class="sr-only"> {k.name}</span>
              </button>
            )}
          </>
        )}
      </th>
      <td class="mono">{k.hint}</td>
      <td>{when(k.createTime)}</td>
      <td>{revoked ? `revoked ${when(k.revokeTime)}` : "live"}</td>
      <td>
        <label class="inline">
          <input
            type="checkbox"
            checked={k.hmacEnabled}
            disabled={revoked}
            onChange={(e) => void act("PATCH", base, { hmacEnabled: e.currentTarget.checked })}
          />
          <span class="sr-only">HMAC signing for {k.name}</span>
          {k.hmacEnabled ? "on" : "off"}
        </label>
      </td>
      <td>
        <SettingForm
          id={`credits-${k.keyId}`}
          label={`Credits of ${k.name} (empty: unlimited)`}
          placeholder="unlimited"
          size={6}
          numeric
          initial={k.credits === null ? "" : String(k.credits)}
          disabled={revoked}
          onSet={(v) => act("PATCH", base, { credits: v === null ? null : Number(v) })}
        />
      </td>
      <td>
        <SettingForm
          id={`sim-${k.keyId}`}
          label={`Failure simulation of ${k.name}, e.g. fail=501 (empty: off)`}
          placeholder="off"
          size={12}
          initial={k.simulate ?? ""}
          disabled={revoked}
          onSet={(v) => act("PATCH", base, { simulate: v })}
        />
      </td>
      <td class="actions">
        <button
          type="button"
          disabled={revoked}
          onClick={() =>
            void act("POST", `${base}/rotate-webhook-key`, undefined, (r) => ({
              title: `New webhook key of ${k.name} (the old one signs too until ${when(k.webhookKeyRotatedUntil) || "the grace period ends"})`,
              lines: [["Webhook HMAC key", secretOf(r, "webhookHmacKey")]],
            }))
          }
        >
          Rotate webhook key
        </button>
        {!revoked &&
          (confirming.value ? (
            <button type="button" class="danger" onClick={() => void act("POST", `${base}/revoke`)}>
              Confirm: revoke {k.name}
            </button>
          ) : (
            <button type="button" onClick={() => (confirming.value = true)}>
              Revoke…
            </button>
          ))}
      </td>
    </tr>
  );
}

function secretOf(r: unknown, field: string): string {
  if (typeof r === "object" && r !== null && field in r) {
    const v = (r as Record<string, unknown>)[field];
    if (typeof v === "string") return v;
  }
  return "";
}

/** The operator's page: every key, made, renamed, switched, credited, rotated and revoked here. */
export function KeysPage() {
  const keys = useSignal<KeyView[] | null>(null);
  const error = useSignal("");
  const name = useSignal("");
  const credits = useSignal("");
  const shown = useSignal<Shown | null>(null);
  const load = async () => {
    try {
      keys.value = (await api<{ keys: KeyView[] }>("GET", ADMIN)).keys;
      error.value = "";
    } catch (err) {
      error.value = messageOf(err);
    }
  };
  const operator = session.value?.kind === "operator";
  useEffect(() => {
    if (operator) void load();
  }, [operator]);
  if (!operator)
    return (
      <section aria-labelledby="keys-title">
        <h1 id="keys-title">Keys</h1>
        <p role="alert">Only the operator manages keys. Sign in with the admin token or a console link.</p>
      </section>
    );
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const n = credits.value.trim();
      const r = await api<{ apiKey: string; webhookHmacKey: string; key: KeyView }>("POST", ADMIN, {
        name: name.value.trim(),
        ...(n === "" ? {} : { credits: Number(n) }),
      });
      shown.value = {
        title: `Key ${r.key.name} created`,
        lines: [
          ["API key", r.apiKey],
          ["Webhook HMAC key", r.webhookHmacKey],
        ],
      };
      name.value = "";
      credits.value = "";
      await load();
    } catch (err) {
      error.value = messageOf(err);
    }
  };
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">Keys</h1>
      <form class="filters" onSubmit={create} aria-label="Create a key">
        <div class="field">
          <label for="new-name">Name</label>
          <input
            id="new-name"
            required
            maxLength={64}
            value={name.value}
            onInput={(e) => (name.value = e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="new-credits">Credits (empty: unlimited)</label>
          <input
            id="new-credits"
            inputMode="numeric"
            value={credits.value}
            onInput={(e) => (credits.value = e.currentTarget.value)}
          />
        </div>
        <button type="submit">Create key</button>
      </form>
      {shown.value && (
        <div class="panel secret" role="alert">
          <h2>{shown.value.title}</h2>
          <p>Copy these now: they are shown once and cannot be shown again.</p>
          <dl class="facts">
            {shown.value.lines.map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>
                  <code class="secret-value">{value}</code>
                </dd>
              </div>
            ))}
          </dl>
          <button type="button" onClick={() => (shown.value = null)}>
            I have copied them
          </button>
        </div>
      )}
      <ErrorLine message={error.value} />
      {keys.value && (
        <div class="table-wrap">
          <table class="keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Created</th>
                <th scope="col">State</th>
                <th scope="col">HMAC</th>
                <th scope="col">Credits</th>
                <th scope="col">Simulation</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.value.map((k) => (
                <KeyRow
                  key={`${k.keyId}-${k.revokeTime ?? ""}-${k.hmacEnabled}-${k.credits}-${k.simulate}`}
                  k={k}
                  onChanged={(s) => {
                    if (s) shown.value = s;
                    void load();
                  }}
                  onError={(m) => (error.value = m)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
