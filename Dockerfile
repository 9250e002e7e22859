# syntax=docker/dockerfile:1
# Sentinel: one image, two roles (web and worker) chosen by the command.
# The build stage has the dev dependencies and the whole (filtered, see .dockerignore) context; the image that runs
# gets only what runs: production dependencies, the compiled web and worker, the sources the CLI runs through tsx,
# and the migrations. Secrets never enter it: .env stays out of the build context, configuration arrives as
# environment variables at run time (docker-compose.yml).
# Node 24 is the active LTS; the code also runs on Node 20.19+ (package.json "engines").

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci runs the postinstall script, which patches a dependency (ADR 061).
COPY scripts/patch-dependencies.mjs scripts/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
# The Remix build and the compiled web server and worker (build/server/start-web.js and start-worker.js, ADRs 023, 024).
RUN npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# git: `sentinel import` reads local repositories with it.
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Production dependencies only (tsx is one: bin/sentinel.js runs the CLI's TypeScript with it). The postinstall patch
# is bind-mounted for this one command, so scripts/ never becomes part of a layer.
RUN --mount=type=bind,source=scripts/patch-dependencies.mjs,target=/app/scripts/patch-dependencies.mjs \
    --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/build ./build
COPY --from=build /app/public/build ./public/build
# The CLI (`node bin/sentinel.js …`) runs these sources; *.test.ts never reach the context (.dockerignore).
# bench/ (benchmarks, `sentinel generate`'s generator) stays out: the command says it is a development tool.
COPY application ./application
COPY bin ./bin
COPY cli ./cli
COPY demo ./demo
COPY domain ./domain
COPY infrastructure ./infrastructure
COPY jobs ./jobs
COPY server ./server
COPY migrations ./migrations
COPY tsconfig.json ./
# Code stays root-owned and read-only to the process; only the data directory (SENTINEL_DATA_DIR, the embedded
# database when DATABASE_URL is unset) is writable by it.
RUN mkdir -p /app/.sentinel && chown node:node /app/.sentinel
USER node
EXPOSE 3000
# node itself, not npm: one process less in the container, and SIGTERM reaches the server directly; what
# `npm run start:web` runs.
CMD ["node", "build/server/start-web.js"]
