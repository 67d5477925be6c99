"use client";
import { useEffect, useId, useRef, type ReactNode } from "react";

/**
 * A modal dialog on the native <dialog> element: showModal() makes the rest of the page inert
 * (focus stays inside), Escape fires `cancel`, and the browser returns focus to the opener on
 * close. We only mirror the `open` prop onto it.
 */
export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) {
      el.close();
      // After a confirmed action the opener is often gone (Roll back turns into the rollback's
      // progress), and the browser would drop focus on the body — the top of the page. Move it to
      // the outcome instead, once the page has re-rendered.
      window.setTimeout(focusOutcome, 50);
    }
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(e) => {
        // Escape: let React state decide, so the prop and the element never disagree.
        e.preventDefault();
        onClose();
      }}
      className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-lg border border-slate-300 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50"
    >
      {open ? (
        <div className="p-5">
          <h2 id={titleId} className="text-lg font-semibold">
            {title}
          </h2>
          {description ? (
            <div id={descriptionId} className="mt-1 text-sm text-slate-700">
              {description}
            </div>
          ) : null}
          <div className="mt-4">{children}</div>
        </div>
      ) : null}
    </dialog>
  );
}

/**
 * Where focus belongs after a dialog whose opener has disappeared or been disabled: the element
 * marked as the outcome (data-dialog-outcome), else the page's status or alert message, else the
 * page heading. Every dialog uses this through Dialog, so it is implemented once.
 */
export function focusOutcome(): void {
  const active = document.activeElement;
  const openerStillThere = active instanceof HTMLElement && active !== document.body && active.isConnected && !active.hasAttribute("disabled");
  if (openerStillThere) return;
  const target =
    document.querySelector<HTMLElement>("[data-dialog-outcome]") ??
    document.querySelector<HTMLElement>('main [role="status"]:not(:empty), main [role="alert"]:not(:empty)') ??
    document.querySelector<HTMLElement>('[data-testid="run-status"]') ??
    document.querySelector<HTMLElement>("main h1");
  if (!target) return;
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus();
}
