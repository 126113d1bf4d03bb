-- SendMessage load for wrk: every request is a new message, with an id of its own, from one member of a conversation
-- picked at random. Arguments after "--": the conversations file (one line per conversation, tab-separated: id, the
-- header naming the caller, its value for the first member, for the second) and a tag unique to this run of wrk.
-- wrk holds each connection to one request at a time: -c N is N closed-loop clients.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread", threads)
end

function init(args)
  conversations = {}
  for line in io.lines(args[1]) do
    local id, header, first, second = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)$")
    conversations[#conversations + 1] = { path = "/conversations/" .. id .. "/messages", header = header, members = { first, second } }
  end
  prefix = args[2] .. "-" .. thread .. "-"
  sent = 0
  math.randomseed(thread * 7919 + os.time())
end

function request()
  sent = sent + 1
  local conversation = conversations[math.random(#conversations)]
  local headers = { ["Content-Type"] = "application/json", [conversation.header] = conversation.members[math.random(2)] }
  local body = '{"text":"message ' .. sent .. ' from wrk","messageId":"' .. prefix .. sent .. '"}'
  return wrk.format("POST", conversation.path, headers, body)
end

-- One line the harness reads: counts, and latencies in microseconds.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'wrk-result {"requests":%d,"durationUs":%d,"failed":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
