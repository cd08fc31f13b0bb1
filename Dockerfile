# syntax=docker/dockerfile:1
# The image runs on the current Node LTS; the code itself supports Node 20.18.1+ (package.json
# engines), so `npm start` keeps working on older hosts.
# Build stage: compile TypeScript, then keep only production dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: dist/ and production node_modules only, as the unprivileged `node` user.
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    LATCHKEY_CONFIG=/app/config/latchkey.yaml \
    LATCHKEY_HOST=0.0.0.0 \
    LATCHKEY_PORT=8080 \
    LATCHKEY_DATA=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config ./config
COPY deploy/latchkey.replicas.yaml ./config/latchkey.replicas.yaml
COPY --chmod=0755 deploy/docker-entrypoint.sh /app/docker-entrypoint.sh
# /keys holds the master key file (LATCHKEY_MASTER_KEY_FILE), on a volume of its own so the
# sealed data and the key that opens it can be backed up and access-controlled apart.
RUN mkdir -p /data /keys && chown node:node /data /keys && chmod 0700 /keys
USER node
VOLUME ["/data", "/keys"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.LATCHKEY_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/app/docker-entrypoint.sh"]
CMD ["start"]
