"use client";
import { useState } from "react";
import { verifyAuditChainAction } from "@/server/actions/verify-audit-chain";
import type { AuditChainReport } from "@/server/services/audit-chain";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";

/**
 * Admins re-check the tamper-evident audit trail on demand: every entry's hash is re-computed
 * from its fields, and the first entry that no longer fits is named.
 */
export function AuditChainPanel() {
  const [pending, setPending] = useState(false);
  const [report, setReport] = useState<AuditChainReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function verify() {
    setPending(true);
    setError(null);
    try {
      const result = await verifyAuditChainAction();
      if (!result.ok) {
        setReport(null);
        return setError(result.error);
      }
      setReport(result.data);
    } catch {
      setError("Flightdeck could not be reached. Try again.");
    } finally {
      setPending(false);
    }
  }
  return (
    <Card title="Audit trail integrity" level={2} id="audit-chain">
      <p className="mb-3 text-sm text-slate-700">
        Each audit entry carries the hash of the one before it, so an entry edited or deleted by hand breaks the chain from there on. Exports (CSV, JSON) carry the chain head, so a copy can be checked too.
      </p>
      <Button variant="secondary" onClick={() => void verify()} pending={pending}>
        {pending ? "Verifying…" : "Verify audit trail"}
      </Button>
      <div className="mt-3" aria-live="polite">
        {error ? <Alert tone="error">{error}</Alert> : null}
        {report ? <AuditChainResult report={report} /> : null}
      </div>
    </Card>
  );
}

function AuditChainResult({ report }: { report: AuditChainReport }) {
  const broken = report.firstBroken;
  if (broken) {
    return (
      <Alert tone="error" title="Tampering detected">
        Broken at entry #{broken.id}
        {broken.at && broken.action ? (
          <>
            {" "}
            (<LocalTime value={broken.at} />, {broken.action})
          </>
        ) : null}
        : {broken.reason === "missing" ? "missing (the newest entries were deleted)" : broken.reason}
      </Alert>
    );
  }
  return (
    <Alert tone="success">
      {report.head ? (
        <>
          Intact: {report.entries} entries, head <code className="break-all font-mono text-xs">{report.head.hash}</code> at #{report.head.id}
        </>
      ) : (
        "Intact: the audit trail is empty."
      )}
    </Alert>
  );
}
