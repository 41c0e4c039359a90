#!/usr/bin/env bash
# Asks a deployed (or local) endpoint for /hello and checks the greeting and the contract.
#   scripts/smoke-test.sh BASE_URL     e.g. https://abc.execute-api.us-east-1.amazonaws.com
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

base=${1:?usage: $0 BASE_URL}
url="${base%/}/hello?smoke=1"
headers=$(mktemp)
trap 'rm -f "$headers"' EXIT

say "Smoke test: GET $url"
body=$(curl --silent --show-error --max-time 10 --retry 5 --retry-delay 2 --retry-all-errors \
  --dump-header "$headers" "$url") || die "no answer from $url"
status=$(head -n 1 "$headers" | awk '{print $2}')
[ "$status" = 200 ] || die "GET $url answered $status: $body"
grep -qi '^content-type: application/json' "$headers" || die "the answer is not JSON"
grep -qi '^access-control-allow-origin: \*' "$headers" || die "the answer has no CORS header"
python3 - "$body" <<'PY' || die "unexpected body: $body"
import json, sys
body = json.loads(sys.argv[1])
assert body["message"] == "Go Serverless v1.0! Your function executed successfully!"
assert body["input"]["query"]["smoke"] == ["1"]
PY
echo "GET $url: 200, greeting and CORS as expected"
