import { cx } from "../ui/cx";
import { buttonClass, type ButtonVariant } from "../ui/styles";

/** A form's submit button that says the form is busy while its action runs. */
export function SubmitButton({
  pending,
  pendingText,
  children,
  variant = "primary",
  className,
}: {
  pending: boolean;
  pendingText: string;
  children: React.ReactNode;
  variant?: ButtonVariant;
  className?: string;
}) {
  return (
    <button type="submit" disabled={pending} className={cx(buttonClass(variant), className)}>
      {pending ? pendingText : children}
    </button>
  );
}
