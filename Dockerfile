# Sentinel: one image, two roles (web and worker) chosen by the command.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci runs the postinstall script, which patches a dependency (ADR 061).
COPY scripts/patch-dependencies.mjs scripts/
RUN npm ci --no-audit --no-fund
COPY . .
# The Remix build and the compiled web server and worker (build/server/start-web.js and start-worker.js, ADRs 023, 024).
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
EXPOSE 3000
# node itself, not npm: one process less in the container, and SIGTERM reaches the server directly; what
# `npm run start:web` runs.
CMD ["node", "build/server/start-web.js"]
