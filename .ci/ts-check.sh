#!/usr/bin/env bash
# Generates a TypeScript client (openapi-typescript + openapi-fetch) from the
# committed openapi/openapi.json and type-checks .ci/ts/src/usage.ts against it.
# Needs Node >= 20.19 and npm; reaches only the npm registry.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/ts"
npm ci --no-audit --no-fund
npm run check
echo "typescript client: ok"
