-- The mixed workload of bench/load.py, for wrk: 90 % pages, 10 % progress notes.
--
-- bench/load.py writes the sessions (cookie, CSRF token, the tasks each may note on)
-- to a Lua file named by NHIEMVU_LOAD_DATA and reads the one JSON line done() prints.
-- wrk's request() is not told which connection asks, so each thread owns a slice of
-- the sessions and takes them in turn; with as many threads as connections (load.py's
-- default) every connection keeps one session throughout.

local data = dofile(os.getenv("NHIEMVU_LOAD_DATA"))

-- Out of every 20 requests; the whole deck is 18 pages and 2 notes.
local WEIGHTS = { overview = 4, list = 5, task = 5, audit = 4, note = 2 }

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

local mine, deck = {}, {}
local turn, dealt = 0, 0
-- Answers other than 200 (a redirect to sign-in is one), and htmx's redirect to it.
bad, statuses = 0, {}

local function shuffle(cards)
   for i = #cards, 2, -1 do
      local j = math.random(i)
      cards[i], cards[j] = cards[j], cards[i]
   end
end

function init(args)
   for i, session in ipairs(data.sessions) do
      if (i - 1) % data.threads == id - 1 then
         session.note_turn = 0
         table.insert(mine, session)
      end
   end
   for kind, weight in pairs(WEIGHTS) do
      for _ = 1, weight do table.insert(deck, kind) end
   end
   math.randomseed(id * 7919 + os.time())
   shuffle(deck)
end

local function next_kind()
   dealt = dealt + 1
   if dealt > #deck then
      shuffle(deck)
      dealt = 1
   end
   return deck[dealt]
end

local function headers_for(session)
   return {
      ["Cookie"] = session.cookie,
      ["User-Agent"] = data.user_agent,
      ["Accept"] = "text/html",
      ["Accept-Encoding"] = "gzip, deflate, br",
   }
end

local function pick(list)
   return list[math.random(#list)]
end

function request()
   turn = turn % #mine + 1
   local session = mine[turn]
   local headers = headers_for(session)
   local kind = next_kind()
   if kind == "overview" then
      return wrk.format("GET", "/overview", headers)
   elseif kind == "list" then
      return wrk.format("GET", "/tasks/?state=in_progress&unit=" .. pick(data.units), headers)
   elseif kind == "task" then
      return wrk.format("GET", "/tasks/" .. pick(data.tasks), headers)
   elseif kind == "audit" then
      return wrk.format("GET", "/audit/", headers)
   end
   -- The task page's note form, as htmx posts it: no version, so notes never conflict
   -- with one another; each session notes only on its own tasks, in turn.
   session.note_turn = session.note_turn % #session.notes + 1
   headers["Content-Type"] = "application/x-www-form-urlencoded"
   headers["HX-Request"] = "true"
   local body = session.note_body .. math.random(0, 100)
   return wrk.format("POST", "/tasks/" .. session.notes[session.note_turn] .. "/note",
                     headers, body)
end

-- What the first few unexpected answers of each thread said, for bench/load.py to show.
local SHOWN = 3

function response(status, headers, body)
   if status ~= 200 or headers["HX-Redirect"] or headers["hx-redirect"] then
      bad = bad + 1
      statuses[status] = (statuses[status] or 0) + 1
      if bad <= SHOWN then
         local said = {}
         for text in body:gmatch('class="error"[^>]*>([^<]*)<') do table.insert(said, text) end
         io.stderr:write(string.format("thread %d: HTTP %d %s\n", id, status,
                                       #said > 0 and table.concat(said, " | ") or
                                       body:sub(1, 300)))
      end
   end
end

function done(summary, latency, requests)
   local unexpected, seen = 0, {}
   for _, thread in ipairs(threads) do
      unexpected = unexpected + thread:get("bad")
      for status, count in pairs(thread:get("statuses")) do
         seen[status] = (seen[status] or 0) + count
      end
   end
   local parts = {}
   for status, count in pairs(seen) do
      table.insert(parts, string.format('"%d": %d', status, count))
   end
   local e = summary.errors
   io.write(string.format(
      'NHIEMVU_LOAD {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
      '"max_us": %d, "socket_errors": %d, "timeouts": %d, "unexpected": %d, ' ..
      '"statuses": {%s}}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      latency.max, e.connect + e.read + e.write, e.timeout, unexpected,
      table.concat(parts, ", ")))
end
