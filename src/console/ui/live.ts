import { useEffect } from "preact/hooks";

/** What the event stream says of a task that changed. */
export interface TaskEvent {
  readonly taskId: string;
  readonly status?: string;
  readonly callbackState?: string;
}

/**
 * Follows the key's event stream (server-sent events, with the session cookie) while the page is shown; the
 * browser reconnects by itself. `onOpen` runs on every (re)connection: what changed while it was down is read
 * again then.
 */
export function useTaskEvents(onTask: (e: TaskEvent) => void, onOpen?: () => void): void {
  useEffect(() => {
    const source = new EventSource("/api/v1/hookline/events");
    let opened = false;
    source.onopen = () => {
      if (opened) onOpen?.();
      opened = true;
    };
    source.addEventListener("task", (e) => {
      try {
        const data: unknown = JSON.parse((e as MessageEvent<string>).data);
        if (typeof data === "object" && data !== null && "taskId" in data && typeof data.taskId === "string")
          onTask(data as TaskEvent);
      } catch {
        // a malformed event is skipped
      }
    });
    return () => source.close();
  }, []);
}
