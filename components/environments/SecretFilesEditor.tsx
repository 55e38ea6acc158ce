"use client";

import { useState } from "react";
import { buttonClass, inputClass } from "../ui/styles";

type Row = { key: number; path: string; env: string };

const blank = (row: Row) => row.path.trim() === "" && row.env.trim() === "";

/**
 * The files the environment writes into the workspace from job-process variables (path ←
 * variable), as rows to add and remove. Only filled rows are sent, numbered without gaps, so an
 * error the server names as `files.<n>.path` lands on the row it is about.
 */
export function SecretFilesEditor({
  initial,
  fieldErrors,
  idPrefix,
}: {
  initial: { path: string; env: string }[];
  fieldErrors: Record<string, string>;
  idPrefix: string;
}) {
  const [rows, setRows] = useState<Row[]>(() => initial.map((f, key) => ({ key, ...f })));
  const [nextKey, setNextKey] = useState(initial.length);
  const update = (key: number, patch: Partial<Row>) => setRows((all) => all.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const add = () => {
    setRows((all) => [...all, { key: nextKey, path: "", env: "" }]);
    setNextKey((k) => k + 1);
  };
  const listError = fieldErrors.files;
  let sent = 0;
  return (
    <div className="space-y-2" data-testid="secret-files">
      {rows.length === 0 && <p className="text-xs text-zinc-500">None: the agent gets no file from a secret.</p>}
      <ul className="space-y-2">
        {rows.map((row) => {
          const index = blank(row) ? null : sent++;
          const pathError = index === null ? undefined : fieldErrors[`files.${index}.path`];
          const envError = index === null ? undefined : fieldErrors[`files.${index}.env`];
          const pathId = `${idPrefix}-file-${row.key}-path`;
          const envId = `${idPrefix}-file-${row.key}-env`;
          return (
            <li key={row.key} className="space-y-1" data-secret-file={row.key}>
              <div className="grid grid-cols-[minmax(0,1fr)_auto_minmax(0,1fr)_auto] items-center gap-2">
                <label htmlFor={pathId} className="sr-only">
                  Path in the workspace
                </label>
                <input
                  id={pathId}
                  name={index === null ? undefined : `files.${index}.path`}
                  value={row.path}
                  onChange={(e) => update(row.key, { path: e.target.value })}
                  placeholder=".env"
                  autoComplete="off"
                  spellCheck={false}
                  className={inputClass(!!pathError, true)}
                  aria-invalid={pathError ? true : undefined}
                />
                <span aria-hidden className="text-zinc-500">
                  ←
                </span>
                <label htmlFor={envId} className="sr-only">
                  Variable holding its content
                </label>
                <input
                  id={envId}
                  name={index === null ? undefined : `files.${index}.env`}
                  value={row.env}
                  onChange={(e) => update(row.key, { env: e.target.value })}
                  placeholder="APP_DOTENV"
                  autoComplete="off"
                  spellCheck={false}
                  className={inputClass(!!envError, true)}
                  aria-invalid={envError ? true : undefined}
                />
                <button
                  type="button"
                  onClick={() => setRows((all) => all.filter((r) => r.key !== row.key))}
                  className={buttonClass("ghost", "sm")}
                  aria-label={`Remove the file ${row.path || "row"}`}
                >
                  Remove
                </button>
              </div>
              {(pathError || envError) && (
                <p role="alert" className="text-sm text-red-400">
                  {pathError ? `Path: ${pathError}` : `Variable: ${envError}`}
                </p>
              )}
            </li>
          );
        })}
      </ul>
      {listError && (
        <p role="alert" className="text-sm text-red-400">
          {listError}
        </p>
      )}
      <button type="button" onClick={add} className={buttonClass("secondary", "sm")} data-testid="add-secret-file">
        Add a file
      </button>
    </div>
  );
}
