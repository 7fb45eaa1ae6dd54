interface ErrorMessageProps {
  message: string | null;
  onDismiss?: () => void;
}

/** An error from the backend, announced to screen readers and shown until dismissed. */
export function ErrorMessage({ message, onDismiss }: ErrorMessageProps) {
  if (!message) return null;
  return (
    <div className="error" role="alert">
      <span>{message}</span>
      {onDismiss ? (
        <button type="button" className="link-button" onClick={onDismiss} aria-label="Dismiss error">
          Dismiss
        </button>
      ) : null}
    </div>
  );
}
