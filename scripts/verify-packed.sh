#!/usr/bin/env bash
# The verifier as a downstream service gets it: `npm pack` packages/verify, install the tarball
# into a scratch project outside the repository, and verify a real Tessera JWT with it (Tessera
# started with tsx on a free port and a temp data dir, its bootstrap admin token exchanged).
# The same JWT then goes through docs/verifying.md's PyJWT recipe where /usr/bin/python3 has PyJWT
# (Debian python3-jwt); VERIFY_PACKED_REQUIRE_PYTHON=1 makes its absence an error.
#   usage: scripts/verify-packed.sh        (from anywhere; needs `npm ci` done in the repository)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRATCH=$(mktemp -d /tmp/tessera-verify-packed.XXXXXX)
TESSERA_PID=
cleanup() {
  if [ -n "$TESSERA_PID" ]; then kill "$TESSERA_PID" 2>/dev/null || true; wait "$TESSERA_PID" 2>/dev/null || true; fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT INT TERM
say() { echo "verify-packed: $*" >&2; }

say "packing packages/verify"
(cd "$ROOT/packages/verify" && npm pack --silent --pack-destination "$SCRATCH" >/dev/null)
TARBALL=$(ls "$SCRATCH"/tessera-jwt-verify-*.tgz)
# The release tarball packages/verify/README.md tells people to install: kept in the checkout.
mkdir -p "$ROOT/dist/packages"
cp "$TARBALL" "$ROOT/dist/packages/"
tar -tzf "$TARBALL" >"$SCRATCH/contents"
for file in package/dist/index.js package/dist/index.d.ts package/README.md; do
  grep -qx "$file" "$SCRATCH/contents" || { say "$file is missing from $(basename "$TARBALL")"; exit 1; }
done

say "installing $(basename "$TARBALL") into a scratch project"
mkdir "$SCRATCH/consumer"
cd "$SCRATCH/consumer"
printf '{ "name": "consumer", "private": true, "type": "module" }\n' > package.json
npm install --silent --no-audit --no-fund "$TARBALL"

# The published types, as a TypeScript consumer sees them.
cat > check.ts <<'TS'
import { createTesseraVerifier, type TesseraClaims, TesseraTokenError } from 'tessera-jwt-verify';
const verify = createTesseraVerifier({ issuer: 'https://tessera.example.com', audience: 'https://api.example.com' });
export const claims: Promise<TesseraClaims> = verify('token', { scopes: ['repo:read'] });
export const code: 'invalid_token' | 'insufficient_scope' = new TesseraTokenError('invalid_token', 'm').code;
// @ts-expect-error the issuer is required
createTesseraVerifier({ audience: 'https://api.example.com' });
TS
"$ROOT/node_modules/.bin/tsc" --noEmit --strict --skipLibCheck --target es2023 --lib es2023,dom \
  --module nodenext --moduleResolution nodenext --types '' check.ts

PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
ISSUER="http://127.0.0.1:$PORT"
echo "{}" > "$SCRATCH/tessera.config.json"
say "starting Tessera at $ISSUER"
cd "$ROOT"
PORT=$PORT HOST=127.0.0.1 TESSERA_ISSUER=$ISSUER TESSERA_DATA_DIR="$SCRATCH/data" TESSERA_KEYS_DIR="$SCRATCH/keys" \
  TESSERA_CONFIG="$SCRATCH/tessera.config.json" LOG_LEVEL=warn node --import tsx src/cli/entry.ts serve >"$SCRATCH/tessera.log" 2>&1 &
TESSERA_PID=$!
cd "$SCRATCH/consumer"
ready() { node -e "fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" "$ISSUER/healthz"; }
for _ in $(seq 1 120); do ready && break; kill -0 "$TESSERA_PID" 2>/dev/null || break; sleep 0.5; done
ready || { say "Tessera did not start:"; cat "$SCRATCH/tessera.log" >&2; exit 1; }

# A JWT for Tessera's own API, exchanged for the bootstrap admin token.
TOKEN=$(node -e '
  const [issuer, file] = process.argv.slice(1);
  const pat = require("fs").readFileSync(file, "utf8").trim();
  const form = new URLSearchParams({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: pat,
    subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
  });
  fetch(issuer + "/token", { method: "POST", body: form })
    .then((r) => r.json())
    .then((body) => { if (!body.access_token) throw new Error(JSON.stringify(body)); console.log(body.access_token); });
' "$ISSUER" "$SCRATCH/data/bootstrap-admin-token")

cat > verify.mjs <<'JS'
import { createTesseraVerifier, TesseraTokenError } from 'tessera-jwt-verify';
const [issuer, token] = process.argv.slice(2);
const verify = createTesseraVerifier({ issuer, audience: `${issuer}/api` });
const claims = await verify(token, { scopes: ['tessera:admin'] });
if (!claims.sub || !claims.pat_id || claims.iss !== issuer) throw new Error(`unexpected claims ${JSON.stringify(claims)}`);
const [head, payload, signature] = token.split('.');
const tampered = [head, payload, (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1)].join('.');
const refused = await verify(tampered).then(() => null, (error) => error);
if (!(refused instanceof TesseraTokenError) || refused.code !== 'invalid_token') throw new Error('a tampered token verified');
const other = await verify(token, { scopes: ['no:such-scope'] }).then(() => null, (error) => error);
if (other?.code !== 'insufficient_scope') throw new Error('a missing scope was not reported');
console.log(`verify-packed: tessera-jwt-verify accepted sub=${claims.sub} pat_id=${claims.pat_id}, refused a tampered copy`);
JS
node verify.mjs "$ISSUER" "$TOKEN"

if /usr/bin/python3 -c 'import jwt, cryptography' 2>/dev/null; then
  /usr/bin/python3 "$ROOT/scripts/verify_tessera_jwt.py" "$ISSUER" "$ISSUER/api" "$TOKEN" tessera:admin
elif [ "${VERIFY_PACKED_REQUIRE_PYTHON:-0}" = 1 ]; then
  say "/usr/bin/python3 has no PyJWT (apt-get install -y python3-jwt)"; exit 1
else
  say "skipping the PyJWT recipe: /usr/bin/python3 has no PyJWT"
fi
say "ok"
