import { describe, expect, it } from "vitest";
import { auditCsv } from "@/lib/auditExport";
import type { AuditEventView } from "@/lib/services/audit";

const event = (label: string, answer: string): AuditEventView => ({
  id: "e1",
  at: "2026-11-30T12:00:00.000Z",
  teamId: "t1",
  actor: { userId: null, email: "ana@example.com" },
  action: "question.answer",
  subject: { type: "run", id: "r1", label },
  details: { requestId: "ask_1", question: null, answer },
});

describe("the audit log's CSV", () => {
  it("quotes every field, doubles quotes, keeps line breaks inside a field, and ends records with CRLF", () => {
    const csv = auditCsv([event('Fix "the"\nbuild', "line one\nline two")]);
    const [header, row, end] = csv.split("\r\n");
    expect(header).toBe('"at","action","description","actor_email","actor_id","subject_type","subject_id","subject_label","team_id","details"');
    expect(row).toBe(
      '"2026-11-30T12:00:00.000Z","question.answer","Answered a question","ana@example.com","","run","r1","Fix ""the""\nbuild","t1",' +
        '"{""requestId"":""ask_1"",""question"":null,""answer"":""line one\\nline two""}"',
    );
    expect(end).toBe("");
  });

  it("defuses what a spreadsheet would run as a formula (OWASP CSV injection)", () => {
    for (const label of ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "\tx"]) {
      const row = auditCsv([event(label, "ok")]).split("\r\n")[1]!;
      expect(row).toContain(`,"'${label.replace(/"/g, '""')}",`);
    }
    expect(auditCsv([event("plain", "ok")]).split("\r\n")[1]).toContain(',"plain",');
  });
});
