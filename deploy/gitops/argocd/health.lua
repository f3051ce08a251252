-- Argo CD health check for the mesh.datapunk.io kinds ServiceMetadata, MetadataQuery and
-- ClusterMetadataQuery. Argo CD runs it with gopher-lua (Lua 5.1). A script from argocd-cm gets
-- only the base, table and package libraries and a reduced os library, unless useOpenLibs is set
-- for the kind, so this one uses neither the string library nor string methods.
--
-- The operator writes status.observedGeneration and the conditions Ready, Valid and, while the
-- object cannot make progress, Stalled. A status that describes an older generation, or no
-- status at all, tells nothing about the current spec, so it is never Healthy.

local QUERY_KINDS = { MetadataQuery = true, ClusterMetadataQuery = true }

local function findCondition(status, conditionType)
  if status.conditions == nil then
    return nil
  end
  for _, condition in ipairs(status.conditions) do
    if condition.type == conditionType then
      return condition
    end
  end
  return nil
end

local function health(code, message)
  return { status = code, message = message }
end

-- Returns the condition's message, or its type, status and reason when the message is empty.
local function conditionMessage(condition)
  if condition.message ~= nil and condition.message ~= "" then
    return condition.message
  end
  return condition.type .. "=" .. tostring(condition.status) .. ", reason " ..
    tostring(condition.reason)
end

-- Appends the match count of a query to the Ready message, such as "(3 matches)".
local function withMatchCount(message, status)
  local count = status.matchCount
  if count == nil then
    return message
  end

  local summary = count .. " matches"
  if count == 1 then
    summary = "1 match"
  end
  if status.truncated == true and status.matches ~= nil then
    summary = summary .. ", " .. #status.matches .. " listed"
  end
  return message .. " (" .. summary .. ")"
end

local function assess(resource)
  local generation = nil
  if resource.metadata ~= nil then
    generation = resource.metadata.generation
  end
  local status = resource.status

  if status == nil then
    return health("Progressing", "waiting for the operator to write the status")
  end
  if status.observedGeneration == nil then
    return health("Progressing", "waiting for the operator to write status.observedGeneration")
  end
  if generation ~= nil and status.observedGeneration ~= generation then
    return health("Progressing", "waiting for the operator to observe generation " ..
      generation .. "; the status describes generation " .. status.observedGeneration)
  end

  local stalled = findCondition(status, "Stalled")
  if stalled ~= nil and stalled.status == "True" then
    return health("Degraded", conditionMessage(stalled))
  end

  local ready = findCondition(status, "Ready")
  if ready == nil then
    return health("Progressing", "waiting for the Ready condition")
  end
  if ready.status == "False" then
    return health("Degraded", conditionMessage(ready))
  end
  if ready.status ~= "True" then
    return health("Progressing", conditionMessage(ready))
  end

  local message = conditionMessage(ready)
  if QUERY_KINDS[resource.kind] then
    message = withMatchCount(message, status)
  end
  return health("Healthy", message)
end

return assess(obj)
