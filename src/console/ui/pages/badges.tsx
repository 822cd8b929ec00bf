/** A task's status, with its words (colour alone says nothing to a screen reader or a colour-blind reader). */
export function StatusBadge(props: { status: string }) {
  const s = props.status.toUpperCase();
  const tone = /SUCCESS|COMPLETE|DONE/.test(s) ? "ok" : /FAIL|ERROR/.test(s) ? "bad" : "busy";
  return <span class={`badge ${tone}`}>{props.status}</span>;
}

/** Where a task's callback stands: delivered, retrying, pending, failed or none. */
export function CallbackBadge(props: { state: string }) {
  const tone =
    props.state === "delivered"
      ? "ok"
      : props.state === "failed"
        ? "bad"
        : props.state === "none"
          ? "none"
          : "busy";
  return <span class={`badge ${tone}`}>{props.state}</span>;
}
