import { render } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { api, loadSession, session } from "./api.js";
import { KeysPage } from "./pages/keys.js";
import { ReceiversPage } from "./pages/receivers.js";
import { SignIn } from "./pages/sign-in.js";
import { TaskPage } from "./pages/task.js";
import { TasksPage } from "./pages/tasks.js";
import { UploadPage } from "./pages/upload.js";
import { VoicesPage } from "./pages/voices.js";
import { route } from "./router.js";

const TENANT_PAGES = [
  ["tasks", "Tasks"],
  ["upload", "Upload"],
  ["voices", "Voices"],
  ["receivers", "Receivers"],
] as const;

function Page() {
  const [name = "", id] = route.value;
  const operator = session.value?.kind === "operator";
  if (name === "keys" || operator) return <KeysPage />;
  if (name === "tasks" && id) return <TaskPage taskId={id} />;
  if (name === "upload") return <UploadPage />;
  if (name === "voices") return <VoicesPage />;
  if (name === "receivers") return <ReceiversPage />;
  return <TasksPage />;
}

function Layout() {
  const s = session.value;
  const [current = "tasks"] = route.value;
  const main = useRef<HTMLElement>(null);
  // A new page moves the focus to its heading's region, as a page load would for a screen reader.
  useEffect(() => {
    main.current?.focus();
  }, [current]);
  const signOut = async () => {
    await api("DELETE", "/console/session").catch(() => undefined);
    session.value = null;
  };
  const pages = s?.kind === "operator" ? [["keys", "Keys"] as const] : TENANT_PAGES;
  return (
    <>
      <button type="button" class="skip" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <span class="brand">Hookline</span>
        <nav aria-label="Main">
          <ul>
            {pages.map(([path, label]) => (
              <li key={path}>
                <a href={`#/${path}`} aria-current={current === path ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          {s?.kind === "operator" ? "Operator" : `Key: ${s?.keyName ?? ""}`}
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page />
      </main>
    </>
  );
}

function App() {
  const s = session.value;
  if (s === undefined) return <p class="loading">Loading…</p>;
  if (s === null) return <SignIn />;
  return <Layout />;
}

const root = document.getElementById("app");
if (root) {
  render(<App />, root);
  void loadSession();
}
