-- wrk script: POST /api/crm/companies/search with one filter group (head
-- count at least 100 and revenue in EUR), newest first, 50 per page, over
-- the 10 000 companies scripts/bench.sh inserted. BENCH_SEARCH_QUERY, when
-- set, searches by free text instead (the trigram index on PostgreSQL).
function init(args)
  local query = os.getenv("BENCH_SEARCH_QUERY")
  if query and query ~= "" then
    body = '{"query":"' .. query .. '","limit":50}'
  else
    body = '{"filter_groups":[{"filters":[' ..
      '{"property":"employees","operator":"gte","value":100},' ..
      '{"property":"annual_revenue_currency","operator":"eq","value":"EUR"}]}],"limit":50}'
  end
end

function request()
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = os.getenv("BENCH_AUTH"),
  }
  return wrk.format("POST", "/api/crm/companies/search", headers, body)
end
