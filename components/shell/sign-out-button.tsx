"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { signOutAction } from "@/server/actions/sign-out";
import { closeSocket } from "@/components/realtime/socket";
import { Button } from "@/components/ui/button";

export function SignOutButton() {
  const router = useRouter();
  const qc = useQueryClient();
  const [pending, setPending] = useState(false);
  return (
    <Button
      variant="secondary"
      size="sm"
      pending={pending}
      onClick={async () => {
        setPending(true);
        await signOutAction();
        // Nothing of this user's data may linger for the next person on a shared screen.
        closeSocket();
        qc.clear();
        router.push("/sign-in");
        router.refresh();
      }}
    >
      Sign out
    </Button>
  );
}
