#!/usr/bin/env bash
# Benchmark: `opsdeck status --json` against the sandbox, versus the same information fetched
# with the aws CLI one command per call, as an on-call engineer would. Needs hyperfine and the
# aws CLI. Usage: tests/bench/status_vs_aws_cli.sh [path/to/opsdeck]
set -euo pipefail
cd "$(dirname "$0")/../.."
opsdeck=${1:-target/release/opsdeck}
export XDG_STATE_HOME; XDG_STATE_HOME=$(mktemp -d)
trap '"$opsdeck" sandbox down >/dev/null; rm -rf "$XDG_STATE_HOME"' EXIT
"$opsdeck" sandbox up
"$opsdeck" --sandbox deploy --preset sandbox --yes >/dev/null
port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$XDG_STATE_HOME/opsdeck/sandbox.json")

cat > "$XDG_STATE_HOME/cli.sh" <<CLI
#!/usr/bin/env bash
set -euo pipefail
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
aws() { command aws --endpoint-url http://127.0.0.1:$port --output json "\$@"; }
aws cloudformation describe-stacks --stack-name ha-web >/dev/null
res=\$(aws cloudformation list-stack-resources --stack-name ha-web)
tgs=\$(echo "\$res" | python3 -c 'import json,sys; print(" ".join(r["PhysicalResourceId"] for r in json.load(sys.stdin)["StackResourceSummaries"] if r["ResourceType"]=="AWS::ElasticLoadBalancingV2::TargetGroup"))')
asg=\$(echo "\$res" | python3 -c 'import json,sys; print(" ".join(r["PhysicalResourceId"] for r in json.load(sys.stdin)["StackResourceSummaries"] if r["ResourceType"]=="AWS::AutoScaling::AutoScalingGroup"))')
db=\$(echo "\$res" | python3 -c 'import json,sys; print(" ".join(r["PhysicalResourceId"] for r in json.load(sys.stdin)["StackResourceSummaries"] if r["ResourceType"]=="AWS::RDS::DBInstance"))')
aws elbv2 describe-target-groups --target-group-arns \$tgs >/dev/null
for tg in \$tgs; do aws elbv2 describe-target-health --target-group-arn \$tg >/dev/null; done
aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names \$asg >/dev/null
aws rds describe-db-instances --db-instance-identifier \$db >/dev/null
aws cloudwatch describe-alarms >/dev/null
CLI
chmod +x "$XDG_STATE_HOME/cli.sh"
hyperfine --warmup 2 --runs 10 \
  -n "opsdeck status --json" "$opsdeck --sandbox status --json" \
  -n "aws CLI, one command per call" "$XDG_STATE_HOME/cli.sh"
