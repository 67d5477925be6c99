import type { ReactNode } from "react";

/**
 * A titled section of a page. Pages own the h1; cards use h2 by default so the heading order
 * never skips a level.
 */
export function Card({
  title,
  level = 2,
  actions,
  children,
  className = "",
  id,
}: {
  title?: ReactNode;
  level?: 2 | 3;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  id?: string;
}) {
  const Heading = level === 2 ? "h2" : "h3";
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section id={id} aria-labelledby={headingId} className={`rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-5 ${className}`}>
      {title || actions ? (
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
          {title ? (
            <Heading id={headingId} className={level === 2 ? "text-lg font-semibold text-slate-900" : "text-base font-semibold text-slate-900"}>
              {title}
            </Heading>
          ) : null}
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  );
}
