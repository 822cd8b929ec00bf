/** A failure, announced to screen readers as it appears; nothing while there is none. */
export function ErrorLine(props: { message: string }) {
  if (!props.message) return null;
  return (
    <p class="error" role="alert">
      {props.message}
    </p>
  );
}
