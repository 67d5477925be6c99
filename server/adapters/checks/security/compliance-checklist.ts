import type { Compliance } from "../../../core/types.ts";

/** One piece of evidence a compliance framework asks of a release. */
export type EvidenceItem = {
  /** also the evidence file's name without extension, e.g. `sox-change-ticket` → sox-change-ticket.md */
  id: string;
  /** what the auditor expects to find in it */
  title: string;
};

/**
 * The evidence each framework requires before a release ships, as the release procedure lists it.
 * `none` requires nothing.
 */
export const EVIDENCE_CHECKLISTS: Record<Compliance, readonly EvidenceItem[]> = {
  none: [],
  sox: [
    { id: "sox-change-ticket", title: "approved change ticket" },
    { id: "sox-test-evidence", title: "test evidence for the change" },
    { id: "sox-segregation-of-duties", title: "segregation of duties approval record (approver is not the author)" },
    { id: "sox-rollback-plan", title: "rollback plan" },
  ],
  gdpr: [
    { id: "gdpr-dpia", title: "data protection impact assessment or privacy review" },
    { id: "gdpr-data-retention", title: "data retention policy" },
    { id: "gdpr-personal-data-inventory", title: "personal data inventory" },
    { id: "gdpr-processor-agreements", title: "data processor agreements" },
  ],
  hipaa: [
    { id: "hipaa-phi-access-audit-log", title: "PHI access audit log" },
    { id: "hipaa-encryption", title: "encryption at rest and in transit" },
    { id: "hipaa-baa", title: "business associate agreements" },
    { id: "hipaa-risk-assessment", title: "security risk assessment" },
  ],
  pci: [
    { id: "pci-asv-scan", title: "ASV / vulnerability scan report" },
    { id: "pci-network-segmentation", title: "network segmentation test" },
    { id: "pci-key-rotation", title: "cryptographic key rotation record" },
    { id: "pci-access-review", title: "access review" },
  ],
};

/** Whether a file name is evidence for the item: its id, with any extension or none. */
export function isEvidenceFor(item: EvidenceItem, fileName: string): boolean {
  return fileName === item.id || fileName.startsWith(`${item.id}.`);
}
