# bench/cost.jq: `bq-cost estimate --by model` written in jq, the baseline of
# bench/bench.py's cost benchmark.  Streams (constant memory, like bq-cost):
#
#   jq -n -c --slurpfile prices PRICES -f bench/cost.jq < RECORDS
#
# PRICES is the NDJSON of `bq-cost prices` (the same table bq-cost uses);
# RECORDS are bq-logs "invocation" records.  The model id is reduced to the
# foundation model the way lib/prices.h bq_model_price_key says: cross-Region
# prefixes (us. eu. apac. jp. au. ca. us-gov. -> geo, global. -> global),
# foundation-model and inference-profile ARNs, base_model_id behind an
# application profile.  The price is the (model, routing) row, else the
# model's "any" row.  A request is unpriced when its model has no row or a
# token kind it used has no price.  Output: one cost_estimate record per
# model, highest usd first (usd is a float here, an exact decimal in bq).

def table: reduce $prices[] as $p ({}; .[$p.model + "|" + $p.routing] = $p);

def geo: ["us", "eu", "apac", "jp", "au", "ca", "us-gov"];

# a plain model id or profile id -> [foundation model, routing]
def plain:
  (index(".")) as $i
  | if $i == null then [., "in-region"]
    else .[:$i] as $p
    | if $p == "global" then [.[$i + 1:], "global"]
      elif (geo | index([$p])) != null then [.[$i + 1:], "geo"]
      else [., "in-region"] end
    end;

# a model id as invoked -> [foundation model, routing] or null
def key:
  if startswith("arn:") then
    (split(":")[5:] | join(":")) as $res
    | if ($res | startswith("foundation-model/")) then [$res[17:], "in-region"]
      elif ($res | startswith("inference-profile/")) then ($res[18:] | plain)
      else null end
  else plain end;

# a price row as USD per token, null for a kind without a price
def per_token: [.input, .output, .cache_read, .cache_write]
  | map(if . == null then null else tonumber / 1000000 end);

# [group name, per-token prices or null] for a record
def resolve($t):
  (.model_id // "") as $mid
  | ($mid | key) as $k0
  | (if $k0 != null then $k0
     elif (.base_model_id // "") != "" then
       (.base_model_id | key) as $b
       | if $b == null then null
         elif $b[1] == "in-region" then [$b[0], "any"] else $b end
     else null end) as $k
  | if $k == null then [$mid, null]
    else [$k[0], (($t[$k[0] + "|" + $k[1]] // $t[$k[0] + "|any"]) | if . == null then null else per_token end)]
    end;

# a model resolves the same way every time: each (model_id, base_model_id)
# is resolved once and kept in .k; a group's sums are an array in .g
# (plain assignments: jq 1.6's |= costs a path walk per update)
table as $t
| reduce inputs as $r ({g: {}, k: {}};
    (($r.model_id // "") + "\n" + ($r.base_model_id // "")) as $ck
    | (if .k[$ck] == null then .k[$ck] = ($r | resolve($t)) else . end)
    | .k[$ck] as $res
    | $res[1] as $p
    | ($r.input_tokens // 0) as $n0 | ($r.output_tokens // 0) as $n1
    | ($r.cache_read_tokens // 0) as $n2 | ($r.cache_write_tokens // 0) as $n3
    | (if $p == null
          or ($n0 != 0 and $p[0] == null) or ($n1 != 0 and $p[1] == null)
          or ($n2 != 0 and $p[2] == null) or ($n3 != 0 and $p[3] == null) then null
       else $n0 * ($p[0] // 0) + $n1 * ($p[1] // 0) + $n2 * ($p[2] // 0) + $n3 * ($p[3] // 0)
       end) as $usd
    | (.g[$res[0]] // [0, 0, 0, 0, 0, 0, 0]) as $a
    | .g[$res[0]] = [$a[0] + 1, $a[1] + $n0, $a[2] + $n1, $a[3] + $n2, $a[4] + $n3,
                     $a[5] + ($usd // 0), $a[6] + (if $usd == null then 1 else 0 end)])
| .g
| to_entries
| map({kind: "cost_estimate", group: {model: .key}, requests: .value[0],
       input_tokens: .value[1], output_tokens: .value[2], cache_read_tokens: .value[3],
       cache_write_tokens: .value[4], usd: .value[5], unpriced_requests: .value[6]})
| sort_by([-.usd, -.requests, .group.model])[]
