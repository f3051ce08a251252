-- Runs an Argo CD health script over a list of cases with the reference Lua 5.1 interpreter.
-- Usage: lua5.1 hack/run-health-cases.lua SCRIPT CASES, where SCRIPT is health.lua and CASES a
-- chunk written by hack/health-samples-to-lua.ts that returns
-- { { name = ..., expected = { status = ..., message = ... }, object = ... }, ... }.
--
-- Each case runs as Argo CD runs a script from argocd-cm: in a fresh environment that holds the
-- base, table and package libraries and the object as the global obj, without the string
-- library and without string methods. It prints one line per case and a summary, and exits with
-- status 1 when any case fails.

local scriptPath, casesPath = arg[1], arg[2]
if scriptPath == nil or casesPath == nil then
  io.stderr:write("usage: lua5.1 hack/run-health-cases.lua SCRIPT CASES\n")
  os.exit(2)
end

-- Instructions one case may run before it is stopped, in place of Argo CD's one-second limit.
local INSTRUCTION_LIMIT = 10000000

local BASE_NAMES = {
  "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget",
  "rawset", "select", "setmetatable", "tonumber", "tostring", "type", "unpack", "xpcall",
  "_VERSION",
}

local function sandbox(object)
  local env = { table = table, package = package, obj = object }
  for _, name in ipairs(BASE_NAMES) do
    env[name] = _G[name]
  end
  env._G = env
  return env
end

local function runCase(script, object)
  local stringMeta = getmetatable("")
  local stringIndex = stringMeta.__index
  setfenv(script, sandbox(object))
  stringMeta.__index = nil
  debug.sethook(function()
    error("the script ran more than " .. INSTRUCTION_LIMIT .. " instructions", 2)
  end, "", INSTRUCTION_LIMIT)
  local ok, result = pcall(script)
  debug.sethook()
  stringMeta.__index = stringIndex
  if not ok then
    return nil, "the script failed: " .. tostring(result)
  end
  if type(result) ~= "table" then
    return nil, "the script returned a " .. type(result) .. ", want a table"
  end
  return result
end

local function check(case, got)
  local problems = {}
  for _, field in ipairs({ "status", "message" }) do
    if got[field] ~= case.expected[field] then
      problems[#problems + 1] = string.format("%s = %q, want %q", field, tostring(got[field]),
        tostring(case.expected[field]))
    end
  end
  return problems
end

local cases = assert(loadfile(casesPath))()
local passed, failed = 0, 0
for _, case in ipairs(cases) do
  local script = assert(loadfile(scriptPath))
  local got, err = runCase(script, case.object)
  local problems = err and { err } or check(case, got)
  if #problems == 0 then
    passed = passed + 1
    print("ok    " .. case.name)
  else
    failed = failed + 1
    print("FAIL  " .. case.name .. ": " .. table.concat(problems, "; "))
  end
end
print(passed .. " passed, " .. failed .. " failed")
if failed > 0 or passed == 0 then
  os.exit(1)
end
