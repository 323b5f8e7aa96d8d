#!/usr/bin/env bash
# The main job: installs whatever is missing, then serves judgekit's HTTP API on port 8000 with the
# best sandbox available (nsjail, else Docker with gVisor), printing an example request.
#   scripts/start.sh [judgekit serve options...]      e.g. --port 9000 --runner docker
#   scripts/start.sh --postgres [options...]          durable mode: also starts the project's own
#                                                     PostgreSQL on 127.0.0.1 (scripts/setup/postgres.sh)
#   scripts/start.sh --redis [options...]             cluster mode: also starts the project's own Redis
#                                                     on 127.0.0.1 with AOF on (scripts/setup/redis.sh);
#                                                     this node serves and judges, workers may join:
#                                                     judgekit worker --redis-url "$(cat /var/lib/judgekit/redis/redis-url)"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
args=()
for arg in "$@"; do
  if [[ $arg == --postgres ]]; then
    JUDGEKIT_DATABASE_URL=$(bash scripts/setup/postgres.sh --start | tail -n1)
    export JUDGEKIT_DATABASE_URL
  elif [[ $arg == --redis ]]; then
    JUDGEKIT_REDIS_URL=$(bash scripts/setup/redis.sh --start | tail -n1)
    export JUDGEKIT_REDIS_URL
  else
    args+=("$arg")
  fi
done
set -- "${args[@]+"${args[@]}"}"
port=${JUDGEKIT_PORT:-8000}
for ((i = 1; i <= $#; i++)); do
  if [[ ${!i} == --port ]]; then j=$((i + 1)); port=${!j}; fi
done

cat <<EXAMPLE

judgekit is starting on port $port. Try, from another terminal:

  curl -s localhost:$port/execute -H 'content-type: application/json' \\
       -d '{"source_code": "n = int(input())\\nprint(n * 2)", "stdin_data": "5\\n"}'
  curl -s localhost:$port/result/<submission_id>

  curl -s 'localhost:$port/v1/submissions?wait=true' -H 'content-type: application/json' \\
       -d '{"language": "cpp", "source": "#include <iostream>\\nint main(){int n;std::cin>>n;std::cout<<n*2;}", "tests": [{"input": "21", "expectedOutput": "42"}]}'

Interactive API docs: http://localhost:$port/docs

EXAMPLE
exec node packages/cli/dist/bin.js serve --port "$port" "$@"
