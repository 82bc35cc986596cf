-- wrk script: POST bench/event.json.
local f = assert(io.open(os.getenv("BENCH_EVENT") or "bench/event.json", "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
