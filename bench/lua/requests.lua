-- wrk script for ParkWell's benchmark: replays the requests listed in the file named by
-- the environment variable BENCH_REQUESTS (one per line: METHOD<TAB>PATH<TAB>HEADERS<TAB>BODY,
-- headers as "Name: value" joined by "|"), each thread starting at its own offset, and
-- prints one JSON line with throughput, latency percentiles and the status counts.

local requests = {}
local counter = 0
local threads = {}

local function split(s, sep)
  local out, start = {}, 1
  while true do
    local i, j = string.find(s, sep, start, true)
    if not i then table.insert(out, string.sub(s, start)); break end
    table.insert(out, string.sub(s, start, i - 1))
    start = j + 1
  end
  return out
end

local function load()
  local list = {}
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    local f = split(line, "\t")
    local headers = {}
    if f[3] and f[3] ~= "" then
      for _, h in ipairs(split(f[3], "|")) do
        local k, v = string.match(h, "^([^:]+):%s*(.*)$")
        if k then headers[k] = v end
      end
    end
    local body = f[4]
    if body == "" then body = nil end
    if body then headers["Content-Type"] = "application/json" end
    table.insert(list, wrk.format(f[1], f[2], headers, body))
  end
  return list
end

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  requests = load()
  statuses = {}
  index = (id * 7919) % #requests
end

function request()
  index = index + 1
  if index > #requests then index = 1 end
  return requests[index]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, _requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do counts[code] = (counts[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(counts) do table.insert(parts, string.format('"%d": %d', code, n)) end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end
