#!/usr/bin/env bash
# What an engineer would write by hand (issue 8, end-to-end method 3): curl the orders page by page (GET with a
# JSON body, like the QTickets API wants), turn each order into a staging row with jq, and insert the rows with
# one HTTP INSERT ... FORMAT JSONEachRow. The sales rules are the module's (OrderStatusRules): a row per order
# with a payment time; tickets of live baskets (order paid and not deleted, basket not deleted, not fully
# refunded); revenue = price minus refunded amount of baskets of a paid, not deleted order. _dedup_key is
# md5(order_id), computed by ClickHouse in the INSERT ... SELECT FROM input().
#   bench/e2e-by-hand.sh <base-url> <token> <since-iso> <until-iso> <version> <clickhouse-url> <user> <password> <db>
set -euo pipefail
base="$1" token="$2" since="$3" until="$4" ver="$5" ch="$6" user="$7" password="$8" db="$9"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

get() { # get <resource> <json body>
  curl -sS --fail --retry 5 -X GET -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$base/$1" --data "$2"
}

# Events: id -> city name (every page).
page=1
while :; do
  get events "{\"page\":$page,\"orderBy\":{\"id\":\"asc\"}}" > "$work/events.$page.json"
  jq -e --argjson p "$page" '.paging.total > $p * .paging.perPage' "$work/events.$page.json" >/dev/null || break
  page=$((page + 1))
done
jq -s '[.[].data[] | {key: (.id|tostring), value: ((.city.name // "") | gsub("^\\s+|\\s+$"; ""))}] | from_entries' \
  "$work"/events.*.json > "$work/cities.json"

# Orders created in the window (paid or not, cancelled too: a cancelled paid order must zero its row), page by page.
where="[{\"column\":\"created_at\",\"operator\":\">=\",\"value\":\"$since\"},{\"column\":\"created_at\",\"operator\":\"<\",\"value\":\"$until\"}]"
page=1; last=1
while [ "$page" -le "$last" ]; do
  get orders "{\"where\":$where,\"orderBy\":{\"id\":\"asc\"},\"page\":$page}" > "$work/page.json"
  [ "$page" = 1 ] && last="$(jq '(.paging.total + .paging.perPage - 1) / .paging.perPage | floor' "$work/page.json")"
  jq -c --slurpfile cities "$work/cities.json" --argjson ver "$ver" '
    def paid: .payed == true or .payed == 1 or .payed == "1";
    def num: if . == null then 0 elif type == "string" then tonumber else . end;
    def money: (. * 100 | round) / 100;
    .data[] | select(.payed_at != null) | . as $o
    | (($cities[0][(.event_id|tostring)]) // null) as $city
    | select($city != null)
    | {
        order_id: (.id|tostring), event_id: (.event_id|tostring), city: $city,
        utm_source: (if (.utm|type) == "object" then (.utm.utm_source // "") else "" end),
        utm_medium: (if (.utm|type) == "object" then (.utm.utm_medium // "") else "" end),
        utm_campaign: (if (.utm|type) == "object" then (.utm.utm_campaign // "") else "" end),
        utm_content: (if (.utm|type) == "object" then (.utm.utm_content // "") else "" end),
        utm_term: (if (.utm|type) == "object" then (.utm.utm_term // "") else "" end),
        sale_ts: (.payed_at[0:19] | sub("T"; " ")),
        tickets_sold: ([.baskets[]
            | if $o.deleted_at != null or .deleted_at != null then 0
              elif .refunded_at != null and (.refunded_amount|num) >= (.price|num) then 0
              elif ($o|paid) then ([.quantity // 1, 0] | max) else 0 end] | add // 0),
        revenue: ([.baskets[]
            | if ($o|paid|not) or $o.deleted_at != null or .deleted_at != null then 0
              else ([(.price|num) - (if .refunded_at != null then (.refunded_amount|num) else 0 end), 0] | max) end]
            | add // 0 | money),
        currency: (.currency_id // "" | ascii_upcase),
        payload_json: (del(.client, .payment_card_number) | .baskets |= map(del(.client_email, .client_phone, .client_name, .client_surname, .client_middlename)) | tojson),
        _ver: $ver
      }' "$work/page.json" >> "$work/rows.jsonl"
  page=$((page + 1))
done

cols="order_id String, event_id String, city String, utm_source String, utm_medium String, utm_campaign String, utm_content String, utm_term String, sale_ts DateTime, tickets_sold UInt32, revenue Decimal(18,2), currency String, payload_json String, _ver UInt64"
q="INSERT INTO $db.stg_qtickets_api_orders_raw SELECT order_id, event_id, city, utm_source, utm_medium, utm_campaign, utm_content, utm_term, sale_ts, tickets_sold, revenue, currency, payload_json, _ver, lower(hex(MD5(order_id))) FROM input('$cols') FORMAT JSONEachRow"
# -T - streams stdin (POST via -X; a file name after -T would be appended to the URL's "/"); --data-binary @file
# reads the file whole into memory and fails with "out of memory" on the ~2.2 GB of rows of 1M orders.
curl -sS --fail-with-body -u "$user:$password" -X POST -H 'Expect:' -T - "$ch/?query=$(jq -rn --arg q "$q" '$q|@uri')" < "$work/rows.jsonl"
echo "$(wc -l < "$work/rows.jsonl") rows from $last pages"
