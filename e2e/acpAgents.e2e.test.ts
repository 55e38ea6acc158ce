import crypto from "node:crypto";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestRepo, type TestRepo } from "../tests/support/gitRepo";
import { collectPageErrors, launchBrowser, screenshot } from "./support/browser";
import { setScript } from "./support/scriptedModel";
import { signUpInBrowser } from "./support/ui";

/**
 * An admin registers ACP agents from presets (issue 10): the preset fills in the launch line,
 * the agent is listed with it, and the stack's job process says whether it can start it (Goose
 * is not installed here, so it says why not; Claude via ACP is bundled and the job process has
 * a model key, so it can). The repositories page takes MCP servers; New run offers only the
 * agents a job process can start, and the run page names the one a run uses.
 */
const { url, screensDir, modelControlUrl } = inject("stack");

let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
let repo: TestRepo;
const repoName = `acp-${crypto.randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  pageErrors = collectPageErrors(page);
  repo = await createTestRepo({ files: { "README.md": "# acp\n" } });
});

afterAll(async () => {
  await browser?.close();
  await repo?.remove();
});

/** Reloads until the job process has said something about the agent (it reads the registry every 10 s). */
async function availabilityOf(item: Locator): Promise<Locator> {
  const availability = item.locator("[data-availability]");
  const deadline = Date.now() + 30_000;
  while (/no job process has checked it yet/.test((await availability.textContent()) ?? "")) {
    if (Date.now() > deadline) throw new Error("the job process never said whether it can start the agent");
    await new Promise((r) => setTimeout(r, 1_000));
    await page.reload();
  }
  return availability;
}

describe("ACP agents page", () => {
  it("registers Goose from its preset and lists it with what the job process says about it", async () => {
    await signUpInBrowser(page, url, "agents-admin@example.com", "correct horse battery", "admin");
    // The nav keeps one line on a laptop screen: ACP agents are reached from Admin.
    await page.locator('nav >> text="Admin"').click();
    await page.waitForURL(`${url}/admin`);
    await page.click('a[href="/admin/agents"]');
    await page.waitForURL(`${url}/admin/agents`);
    await expect.poll(() => page.locator('nav [aria-current="page"]').textContent()).toBe("Admin");

    await page.click('button[data-preset="goose"]');
    expect(await page.inputValue("#name")).toBe("goose");
    expect(await page.inputValue("#command")).toBe("goose");
    expect(await page.inputValue("#args")).toBe("acp\n--with-builtin\ndeveloper");
    expect(await page.inputValue("#envNames")).toBe("GOOSE_PROVIDER GOOSE_MODEL OPENAI_API_KEY");
    expect(await page.locator('[data-testid="preset-needs"]').textContent()).toMatch(/goose CLI/);

    // The Claude preset says the key never reaches the agent as it is.
    await page.click('button[data-preset="claude-acp"]');
    expect(await page.inputValue("#command")).toBe("claude-agent-acp");
    expect(await page.locator('[data-testid="anthropic-key-note"]').textContent()).toMatch(/never passed to the agent as it is: the job process gives it a model gateway/);

    await page.click('button[data-preset="goose"]');
    await page.fill("#description", "Goose for the e2e test");
    await page.click('form[aria-label="Register an ACP agent"] button[type="submit"]');
    await page.locator('[role="status"]:has-text("Registered goose")').waitFor();
    // The form is clean again for the next one.
    expect(await page.inputValue("#name")).toBe("");

    const item = page.locator('[data-testid="acp-agent-list"] li[data-agent="goose"]');
    await item.waitFor();
    expect(await item.locator('[data-testid="launch-line"]').textContent()).toBe("goose acp --with-builtin developer");
    const text = await item.textContent();
    expect(text).toContain("Goose for the e2e test");
    expect(text).toContain("GOOSE_PROVIDER, GOOSE_MODEL, OPENAI_API_KEY");

    // The job process reads the registry at its next advert tick and answers.
    const availability = await availabilityOf(item);
    expect(await availability.getAttribute("data-availability")).toBe("unavailable");
    expect(await availability.textContent()).toMatch(/^ACP agent goose is not available: /);
    await screenshot(page, screensDir, "30-acp-agents");

    // A second registration under the same name is refused, naming the field.
    await page.click('button[data-preset="goose"]');
    await page.click('form[aria-label="Register an ACP agent"] button[type="submit"]');
    await page.locator('[data-field-error="name"]').waitFor();
    expect(await page.locator('[data-field-error="name"]').textContent()).toMatch(/already registered/);
    expect(pageErrors).toEqual([]);
  });

  it("offers Claude via ACP once the job process can start it; takes MCP servers per repository; the run page names the agent", async () => {
    await page.goto(`${url}/admin/agents`);
    await page.click('button[data-preset="claude-acp"]');
    await page.click('form[aria-label="Register an ACP agent"] button[type="submit"]');
    await page.locator('[role="status"]:has-text("Registered claude-acp")').waitFor();
    const claude = await availabilityOf(page.locator('li[data-agent="claude-acp"]'));
    expect(await claude.getAttribute("data-availability")).toBe("available");
    expect(await claude.textContent()).toMatch(/^Ready on job process/);

    // A repository, with an MCP server of each kind.
    await page.goto(`${url}/repos`);
    await page.fill("#name", repoName);
    await page.fill("#url", repo.url);
    await page.click('button:has-text("Register repository")');
    const servers = page.locator(`details[data-mcp-servers-of="${repoName}"]`);
    await servers.waitFor();
    await servers.locator("summary").click();
    const form = page.locator(`form[data-mcp-form-of="${repoName}"]`);
    await form.locator('input[name="name"]').fill("files");
    await form.locator('input[name="command"]').fill("mcp-server-files");
    await form.locator('textarea[name="args"]').fill("--root\n.");
    await form.locator('button[type="submit"]').click();
    await servers.locator('li[data-mcp-server="files"]').waitFor();
    await form.locator('input[name="name"]').fill("docs");
    await form.locator('select[name="transport"]').selectOption("http");
    await form.locator('input[name="url"]').fill("https://mcp.example.com/mcp");
    await form.locator('input[name="envNames"]').fill("DOCS_TOKEN");
    await form.locator('button[type="submit"]').click();
    const docs = servers.locator('li[data-mcp-server="docs"]');
    await docs.waitFor();
    expect(await docs.textContent()).toMatch(/runs cannot reach mcp\.example\.com until it is added to the repository's network hosts/);
    // The form is ready for the next one, a command again.
    expect(await form.locator('select[name="transport"]').inputValue()).toBe("stdio");
    await form.locator('input[name="command"]').waitFor();
    expect(await servers.locator('li[data-mcp-server="files"]').textContent()).toContain("mcp-server-files --root .");
    await screenshot(page, screensDir, "31-repo-mcp-servers");

    // New run: executor "ACP agent", its picker offering claude-acp and saying why not goose.
    await page.goto(`${url}/runs/new`);
    await page.selectOption("#repo", repoName);
    await page.check('input[name="executor"][value="acp"]');
    const picker = page.locator("#acpAgent");
    await picker.waitFor();
    expect(await picker.inputValue()).toBe("claude-acp");
    expect(await picker.locator('option[value="goose"]').isDisabled()).toBe(true);
    expect(await page.locator('[data-testid="unavailable-agents"]').textContent()).toMatch(/ACP agent goose is not available/);
    const script = `acp${crypto.randomBytes(4).toString("hex")}`;
    // Whatever Claude Code asks the model, it hears that there is nothing to do.
    await setScript(modelControlUrl, script, Array.from({ length: 6 }, () => ({ content: [{ type: "text" as const, text: "Nothing to change here." }] })));
    await page.fill("#prompt", `Look around and change nothing. [e2e:${script}]`);
    await screenshot(page, screensDir, "32-new-run-acp");
    await page.click('button:has-text("Start run")');
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    expect(await page.locator('[data-testid="run-acp-agent"]').textContent()).toBe("ACP agent: claude-acp");
    // The run itself is the acp executor's to test; here it only must not keep the job process busy.
    const runId = page.url().split("/").pop()!;
    await page.evaluate(async (id) => {
      await fetch(`/api/runs/${id}/cancel`, { method: "POST" });
    }, runId);
    // Cancelled means its job let go of the job process's slot: the next file's runs need it.
    await page.waitForFunction(
      async (id) => ["cancelled", "failed", "completed", "awaiting_review"].includes(((await (await fetch(`/api/runs/${id}`)).json()) as { status: string }).status),
      runId,
      { timeout: 30_000, polling: 250 },
    );
    expect(pageErrors).toEqual([]);
  });
});
