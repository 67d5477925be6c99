import { Badge } from "@/components/ui/badge";
import { humanize, runStatusLook } from "./labels";

/** A run's status, e.g. "rolled back", with an icon and tone that repeat it. */
export function RunStatusBadge({ status }: { status: string }) {
  const look = runStatusLook(status);
  return (
    <Badge tone={look.tone} icon={look.icon}>
      {humanize(status)}
    </Badge>
  );
}
