# One image for both processes: the web (`next start`) and the job process (`npm run worker`).
FROM node:20-bookworm-slim

# git: the job process clones, branches, commits and pushes; bash and ssh: the `cli` executor
# and git remotes over SSH; ca-certificates: HTTPS remotes and the model API; bubblewrap: the
# sandbox around everything a run executes; socat: its bridge to the network proxy.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      git bash ca-certificates openssh-client bubblewrap socat \
 && rm -rf /var/lib/apt/lists/*

ENV NEXT_TELEMETRY_DISABLED=1 \
    DATA_DIR=/data

WORKDIR /app
# Dependencies first, so editing the source does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
RUN npm run build \
 && mkdir -p /data \
 && chown -R node:node /data

# The job process runs agents' commands: never as root. A named volume mounted on /data takes
# this folder's owner the first time.
USER node
EXPOSE 3000 3001
# --liftoff-only: with embedded PGlite (no DATABASE_URL) V8 keeps one compiled copy of its WASM,
# ~30-50 MiB less resident (scripts/lib/webNodeFlags.ts; `npm start` passes the same flag).
CMD ["node", "--liftoff-only", "node_modules/next/dist/bin/next", "start", "-p", "3000", "-H", "0.0.0.0"]
