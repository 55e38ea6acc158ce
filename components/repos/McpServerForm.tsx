"use client";

import { useState } from "react";
import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { listFieldError } from "../forms/listFieldError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { useResetOnSuccess } from "../forms/useResetOnSuccess";
import { inputClass } from "../ui/styles";

/** Adds an MCP server to a repository: a command run in the run's sandbox, or an HTTP URL. */
export function McpServerForm({ repo, action }: { repo: string; action: FormAction<{ name: string; warning: string | null }> }) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  const form = useResetOnSuccess(result);
  const [transport, setTransport] = useState<"stdio" | "http">("stdio");
  // The form's reset after a success puts the select back to its first option: so does the state.
  const [handled, setHandled] = useState(result);
  if (result !== handled) {
    setHandled(result);
    if (result?.ok) setTransport("stdio");
  }
  const id = (field: string) => `mcp-${field}-${repo}`;
  const argsError = listFieldError(fieldErrors, "args");
  const envError = listFieldError(fieldErrors, "envNames");
  return (
    <form ref={form} onSubmit={onSubmit} className="space-y-3" aria-label={`Add an MCP server to ${repo}`} data-mcp-form-of={repo}>
      <input type="hidden" name="repo" value={repo} />
      <FormError message={error} />
      {result?.ok && (
        <p role="status" className="text-xs text-emerald-300">
          Added <span className="font-mono">{result.data.name}</span>; new runs on {repo} get it.
          {result.data.warning && <span className="block text-amber-300">Note: {result.data.warning}.</span>}
        </p>
      )}
      <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_10rem]">
        <Field id={id("name")} label="Name" error={fieldErrors.name} hint="Its tools are named mcp__<name>__<tool>.">
          <input id={id("name")} name="name" autoComplete="off" className={inputClass(!!fieldErrors.name, true)} placeholder="docs" {...describedBy(id("name"), fieldErrors.name)} />
        </Field>
        <Field id={id("transport")} label="Transport" error={fieldErrors.transport}>
          <select id={id("transport")} name="transport" value={transport} onChange={(e) => setTransport(e.target.value as "stdio" | "http")} className={inputClass(!!fieldErrors.transport)}>
            <option value="stdio">stdio command</option>
            <option value="http">HTTP URL</option>
          </select>
        </Field>
      </div>
      {transport === "stdio" ? (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field id={id("command")} label="Command" error={fieldErrors.command} hint="One program, started in the run's sandbox.">
            <input id={id("command")} name="command" autoComplete="off" spellCheck={false} className={inputClass(!!fieldErrors.command, true)} placeholder="mcp-server-docs" {...describedBy(id("command"), fieldErrors.command)} />
          </Field>
          <Field id={id("args")} label="Arguments" error={argsError} hint="One per line.">
            <textarea id={id("args")} name="args" rows={2} spellCheck={false} className={inputClass(!!argsError, true)} {...describedBy(id("args"), argsError)} />
          </Field>
        </div>
      ) : (
        <Field id={id("url")} label="URL" error={fieldErrors.url} hint="http:// or https://, reached through the sandbox's proxy: its host must be among the repository's network hosts.">
          <input id={id("url")} name="url" autoComplete="off" spellCheck={false} className={inputClass(!!fieldErrors.url, true)} placeholder="https://mcp.example.com/mcp" {...describedBy(id("url"), fieldErrors.url)} />
        </Field>
      )}
      <Field
        id={id("envNames")}
        label="Environment variables it receives (optional)"
        error={envError}
        hint={transport === "http" ? "NAMES of the job process's variables; the first is sent as a bearer token." : "NAMES of the job process's variables, separated by spaces or commas; the values stay on the job machines."}
      >
        <input id={id("envNames")} name="envNames" autoComplete="off" spellCheck={false} className={inputClass(!!envError, true)} placeholder="DOCS_TOKEN" {...describedBy(id("envNames"), envError)} />
      </Field>
      <div className="flex justify-end">
        <SubmitButton pending={pending} pendingText="Adding…" variant="secondary">
          Add MCP server
        </SubmitButton>
      </div>
    </form>
  );
}
