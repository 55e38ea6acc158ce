import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import {
  MAX_VALUE_LENGTH,
  placeholdersIn,
  renderText,
  resolveValues,
  undeclaredPlaceholders,
  variableDeclarations,
  type VariableDeclaration,
} from "@/lib/templateVariables";

const declared: VariableDeclaration[] = variableDeclarations.parse([
  { name: "issue.title", required: true },
  { name: "issue.body" },
  { name: "tone", default: "brief" },
]);

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("not refused");
}

describe("template variables", () => {
  it("finds dotted placeholders with or without spaces, and leaves other braces alone", () => {
    expect(placeholdersIn("Fix {{issue.title}}: {{ issue.body }} {{issue.title}} {{.Id}} {{ a b }} {x}")).toEqual(["issue.title", "issue.body"]);
  });

  it("names placeholders the template does not declare", () => {
    expect(undeclaredPlaceholders("{{tone}} {{issue.titel}}", declared, "prompt")).toEqual([
      { path: "prompt", message: "uses {{issue.titel}}, which is not a declared variable" },
    ]);
  });

  it("fills in given values, then defaults, then empty text", () => {
    const values = resolveValues(declared, { "issue.title": "Crash on start" });
    expect(values).toEqual({ "issue.title": "Crash on start", "issue.body": "", tone: "brief" });
    expect(renderText("{{issue.title}} / {{ issue.body }} / {{tone}}", values)).toBe("Crash on start /  / brief");
  });

  it("refuses a missing (or blank) required variable, naming it", () => {
    for (const given of [{}, { "issue.title": "  " }] as Record<string, string>[]) {
      const err = refusal(() => resolveValues(declared, given));
      expect(err.status).toBe(400);
      expect(err.issues).toEqual([{ path: "variables.issue.title", message: "is required" }]);
    }
  });

  it("refuses a value for a variable the template does not declare, and one too long", () => {
    const err = refusal(() => resolveValues(declared, { "issue.title": "x", evil: "y", tone: "z".repeat(MAX_VALUE_LENGTH + 1) }));
    expect(err.issues?.map((i) => i.path).sort()).toEqual(["variables.evil", "variables.tone"]);
  });

  it("puts values in as plain text: no second pass, no replacement patterns", () => {
    const values = resolveValues(declared, { "issue.title": "{{tone}} $& $1 $$ {{issue.body}}", "issue.body": "{{issue.title}}" });
    expect(renderText("A: {{issue.title}} B: {{issue.body}}", values)).toBe("A: {{tone}} $& $1 $$ {{issue.body}} B: {{issue.title}}");
  });

  it("ignores names like __proto__ that are not declared", () => {
    const err = refusal(() => resolveValues(declared, JSON.parse('{"issue.title":"x","__proto__":"y","constructor":"z"}') as Record<string, string>));
    expect(err.issues?.map((i) => i.path).sort()).toEqual(["variables.__proto__", "variables.constructor"]);
    expect(renderText("{{constructor}}", { "issue.title": "x" })).toBe("{{constructor}}");
  });

  it("refuses bad declarations: a bad name, a duplicate, a required variable with a default", () => {
    const res = variableDeclarations.safeParse([{ name: "a-b" }, { name: "x" }, { name: "x" }, { name: "y", required: true, default: "d" }]);
    expect(res.success).toBe(false);
    expect(res.error?.issues.map((i) => i.path.join("."))).toEqual(["0.name", "3.default", "2.name"]);
  });
});
