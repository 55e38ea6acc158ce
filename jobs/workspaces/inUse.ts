/**
 * The runs whose folder (`<DATA_DIR>/runs/<runId>`) a job of this process is using right now:
 * a run job between its start and end, a push or discard job. The workspace admin never
 * deletes or sweeps one of them. Counted, since a run's job and its push may overlap.
 */
const holds = new Map<string, number>();

/** Marks the run's folder in use until the returned release is called (once). */
export function holdRunFolder(runId: string): () => void {
  holds.set(runId, (holds.get(runId) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (holds.get(runId) ?? 1) - 1;
    if (left > 0) holds.set(runId, left);
    else holds.delete(runId);
  };
}

export function runFolderInUse(runId: string): boolean {
  return holds.has(runId);
}
