# syntax=docker/dockerfile:1
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No scripts: `prepare` (the TypeScript build) happens in the build stage.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY bin ./bin
COPY src ./src
RUN node bin/build.js

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=8080 DATA_DIR=/data RULES_DIR=/app/rules INCIDENTD_CONFIG=/app/incidentd.yaml
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json incidentd.yaml ./
COPY bin ./bin
COPY src ./src
# After src, so dist is the newer of the two: bin/incidentd.js runs the compiled JavaScript.
COPY --from=build /app/dist ./dist
COPY views ./views
COPY rules ./rules
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/incidentd.js"]
CMD ["serve"]
