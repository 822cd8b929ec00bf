import { useSignal } from "@preact/signals";
import { ApiError, api, type SessionView, session } from "../api.js";
import { ErrorLine } from "./error-line.js";

/**
 * Sign in with an API key (a tenant) or the admin token (the operator). The secret goes in one POST body and
 * comes back as an HttpOnly cookie: it is never put in a URL or in the browser's storage.
 */
export function SignIn() {
  const as = useSignal<"key" | "admin">("key");
  const secret = useSignal("");
  const error = useSignal("");
  const busy = useSignal(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    busy.value = true;
    error.value = "";
    try {
      const body = as.value === "key" ? { apiKey: secret.value.trim() } : { adminToken: secret.value };
      session.value = await api<SessionView>("POST", "/console/session", body);
      secret.value = "";
      if (!window.location.hash)
        window.location.hash = session.value.kind === "operator" ? "#/keys" : "#/tasks";
    } catch (err) {
      error.value = err instanceof ApiError ? err.message : "Could not reach the server";
    } finally {
      busy.value = false;
    }
  };
  return (
    <main class="sign-in" id="main">
      <h1>Hookline console</h1>
      <form onSubmit={submit} aria-describedby="sign-in-help">
        <fieldset>
          <legend>Sign in with</legend>
          <label class="inline">
            <input
              type="radio"
              name="as"
              checked={as.value === "key"}
              onChange={() => {
                as.value = "key";
              }}
            />
            an API key
          </label>
          <label class="inline">
            <input
              type="radio"
              name="as"
              checked={as.value === "admin"}
              onChange={() => {
                as.value = "admin";
              }}
            />
            the admin token (operator)
          </label>
        </fieldset>
        <label for="secret">{as.value === "key" ? "API key" : "Admin token"}</label>
        <input
          id="secret"
          type="password"
          autoComplete="off"
          required
          value={secret.value}
          onInput={(e) => {
            secret.value = e.currentTarget.value;
          }}
        />
        <button type="submit" disabled={busy.value}>
          Sign in
        </button>
        <ErrorLine message={error.value} />
      </form>
      <p id="sign-in-help" class="hint">
        A key comes from <code>npx hookline keys create --name NAME</code>. Operators without an admin token
        can run <code>npx hookline console-link</code> and open the link it prints.
      </p>
    </main>
  );
}
