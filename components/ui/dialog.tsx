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
      // progress) — at once, or only when the new state arrives — and the browser would drop focus
      // on the body, the top of the page. Move it to the outcome instead, whenever that happens.
      followOpener(); // not a cleanup: the dialog itself often unmounts with its opener
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

/** Whether a person can see the element (a phone's layout hides some of the desktop's). */
function shown(el: HTMLElement): boolean {
  return el.getClientRects().length > 0;
}

/**
 * Watches the element focus returned to when a dialog closed (its opener): once it is removed,
 * disabled or hidden — the confirmed action's outcome has replaced it — focus goes to the outcome.
 * Stops after 15 s, or as soon as the person moves focus themselves.
 */
function followOpener(): () => void {
  let opener: Element | null = null;
  let observer: MutationObserver | null = null;
  const gone = () => opener === null || !(opener instanceof HTMLElement) || !opener.isConnected || opener.hasAttribute("disabled") || !shown(opener);
  const check = () => {
    if (opener !== null && document.activeElement !== opener && document.activeElement !== document.body) return stop();
    if (gone()) {
      stop();
      focusOutcome();
    }
  };
  const start = window.setTimeout(() => {
    opener = document.activeElement === document.body ? null : document.activeElement;
    observer = new MutationObserver(check);
    observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["disabled", "class", "hidden"] });
    check();
  }, 50);
  const giveUp = window.setTimeout(() => stop(), 15_000);
  function stop() {
    window.clearTimeout(start);
    window.clearTimeout(giveUp);
    observer?.disconnect();
    observer = null;
  }
  return stop;
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
  const candidates = ["[data-dialog-outcome]", 'main [role="status"]:not(:empty), main [role="alert"]:not(:empty)', '[data-testid="run-status"]', "main h1"];
  const target = candidates.flatMap((selector) => [...document.querySelectorAll<HTMLElement>(selector)]).find(shown);
  if (!target) return;
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus();
}
