-- Test harness for headless Neovim (0.7 to 0.11+): loads one of the configs
-- shipped in editors/nvim/, opens the file given on the command line, waits
-- for mmname's diagnostics, asks for hover and completion, writes what it saw
-- to $MMNAME_RESULT as JSON and exits 0 (pass) or 1 (fail).
--
--   MMNAME_REPO=... MMNAME_NVIM_SETUP=lsp|snippet-0.8|snippet-0.7 MMNAME_RESULT=out.json \
--     nvim --headless -i NONE -u tests/clients/nvim_harness.lua FILE.py
--
-- With MMNAME_NVIM_CHECK=metafile, FILE is an OpenMMLab metafile.yml instead:
-- the harness waits for its diagnostics and hovers the model name given in
-- $MMNAME_HOVER_NAME (at the token $MMNAME_HOVER_TOKEN).
local repo = assert(os.getenv('MMNAME_REPO'), 'MMNAME_REPO not set')
local setup = assert(os.getenv('MMNAME_NVIM_SETUP'), 'MMNAME_NVIM_SETUP not set')
local result_path = assert(os.getenv('MMNAME_RESULT'), 'MMNAME_RESULT not set')
local WAIT_MS = tonumber(os.getenv('MMNAME_WAIT_MS') or '20000')
local check = os.getenv('MMNAME_NVIM_CHECK') or 'python'

vim.cmd('filetype on')

-- Record what this Neovim answers to the server's workspace/configuration.
local config_answers = {}
local default_config_handler = vim.lsp.handlers['workspace/configuration']
vim.lsp.handlers['workspace/configuration'] = function(err, params, ctx, cfg)
  local answer = default_config_handler(err, params, ctx, cfg)
  table.insert(config_answers, answer)
  return answer
end

-- A setting whose effect the test can see (MMN103 reported as a hint) is
-- added to the shipped config's settings: the documented way for 0.11, and
-- by wrapping the start function for the snippets. What the snippets send
-- with workspace/didChangeConfiguration is recorded too.
local override = { mmname = { severity = { MMN103 = 'hint' } } }
local sent_settings = {}
local function record_notify(client)
  local notify = client.notify
  client.notify = function(a, b, c)
    -- 0.7 to 0.10: client.notify(method, params); 0.11+: client:notify(method, params)
    local method, params = a, b
    if type(a) == 'table' then
      method, params = b, c
    end
    if method == 'workspace/didChangeConfiguration' then
      table.insert(sent_settings, params.settings)
    end
    return notify(a, b, c)
  end
end

local editors = repo .. '/editors/nvim'
if setup == 'lsp' then
  vim.opt.runtimepath:prepend(editors)
  vim.lsp.config('mmname', { settings = override })
  vim.lsp.enable('mmname')
elseif setup == 'snippet-0.8' then
  local start = vim.lsp.start
  vim.lsp.start = function(config, opts)
    return start(vim.tbl_deep_extend('force', config, { settings = override }), opts)
  end
  dofile(editors .. '/snippets/nvim-0.8.lua')
elseif setup == 'snippet-0.7' then
  local start_client = vim.lsp.start_client
  vim.lsp.start_client = function(config)
    config.settings = vim.tbl_deep_extend('force', config.settings or {}, override)
    local on_init = config.on_init
    config.on_init = function(client, result)
      record_notify(client)
      if on_init then
        return on_init(client, result)
      end
    end
    return start_client(config)
  end
  dofile(editors .. '/snippets/nvim-0.7.lua')
else
  error('unknown MMNAME_NVIM_SETUP: ' .. setup)
end

local function finish(res)
  local f = assert(io.open(result_path, 'w'))
  f:write(vim.fn.json_encode(res))
  f:close()
  io.stdout:write((res.pass and 'PASS' or 'FAIL') .. ' ' .. table.concat(res.problems, '; ') .. '\n')
  if res.pass then
    vim.cmd('qall!')
  else
    vim.cmd('cquit 1')
  end
end

local function clients_of(buf)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = buf })
  end
  return vim.tbl_values(vim.lsp.buf_get_clients(buf))
end

local function request(buf, method, line, character)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = character },
  }
  local responses, err = vim.lsp.buf_request_sync(buf, method, params, 10000)
  if not responses then
    return nil, tostring(err)
  end
  for _, r in pairs(responses) do
    if r.error then
      return nil, vim.inspect(r.error)
    end
    if r.result ~= nil then
      return r.result
    end
  end
  return nil, 'no result'
end

local function labels(result)
  local items = result and (result.items or result) or {}
  local out = {}
  for _, item in ipairs(items) do
    table.insert(out, item.label)
  end
  return out
end

local function contains(list, value)
  for _, v in ipairs(list) do
    if v == value then
      return true
    end
  end
  return false
end

-- A metafile: hover the model name of $MMNAME_HOVER_NAME at its token.
local function check_metafile(buf, res, problem)
  local name = assert(os.getenv('MMNAME_HOVER_NAME'), 'MMNAME_HOVER_NAME not set')
  local token = assert(os.getenv('MMNAME_HOVER_TOKEN'), 'MMNAME_HOVER_TOKEN not set')
  local row, col
  for i, text in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local s = text:find('Name: ' .. name, 1, true)
    if s then
      local t = text:find(token, s, true)
      row, col = i - 1, t - 1 + 1
      break
    end
  end
  if row == nil then
    problem('no line "Name: ' .. name .. '" in the file')
    return finish(res)
  end
  local hover, herr = request(buf, 'textDocument/hover', row, col)
  if hover and hover.contents then
    res.hover = hover.contents.value or vim.inspect(hover.contents)
  else
    problem('hover: ' .. tostring(herr))
  end
  if res.hover and not res.hover:find(token, 1, true) then
    problem('hover lacks ' .. token)
  end
  res.pass = #res.problems == 0
  finish(res)
end

local function run()
  local buf = vim.api.nvim_get_current_buf()
  local v = vim.version()
  local res = {
    nvim = string.format('%d.%d.%d', v.major, v.minor, v.patch),
    setup = setup,
    filetype = vim.bo[buf].filetype,
    problems = {},
  }
  local function problem(msg)
    table.insert(res.problems, msg)
  end

  local function ours()
    local out = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.source == 'mmname' then
        table.insert(out, d)
      end
    end
    return out
  end
  local t0 = vim.loop.hrtime()
  vim.wait(WAIT_MS, function()
    return #ours() > 0
  end, 20)
  res.diagnostics_ms = math.floor((vim.loop.hrtime() - t0) / 1e6)
  res.diagnostics = {}
  for _, d in ipairs(ours()) do
    table.insert(res.diagnostics, {
      lnum = d.lnum, col = d.col, code = d.code, severity = d.severity, message = d.message,
    })
  end
  res.clients = {}
  for _, c in ipairs(clients_of(buf)) do
    table.insert(res.clients, c.name)
  end
  if #res.diagnostics == 0 then
    problem('no mmname diagnostics within ' .. WAIT_MS .. ' ms')
  end

  res.config_answers = config_answers
  res.sent_settings = sent_settings
  if check == 'metafile' then
    return check_metafile(buf, res, problem)
  end

  -- The load_from line holds the name `resnet50_8xb32-colsr_imagenet`.
  local row, col0
  for i, text in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local s = text:find('resnet50_8xb32%-colsr_imagenet')
    if s and text:find('load_from') then
      row, col0 = i - 1, s - 1
      break
    end
  end
  if row == nil then
    problem('fixture line with load_from not found')
    return finish(res)
  end

  local hover, herr = request(buf, 'textDocument/hover', row, col0 + #'resnet50_' + 2)
  if hover and hover.contents then
    res.hover = hover.contents.value or vim.inspect(hover.contents)
  else
    problem('hover: ' .. tostring(herr))
  end
  local c1, cerr1 = request(buf, 'textDocument/completion', row, col0 + #'resnet50_')
  res.completion_after_underscore = labels(c1)
  if not c1 then
    problem('completion after _: ' .. tostring(cerr1))
  end
  local c2, cerr2 = request(buf, 'textDocument/completion', row, col0 + #'resnet50_8xb32-')
  res.completion_after_dash = labels(c2)
  if not c2 then
    problem('completion after -: ' .. tostring(cerr2))
  end
  -- The checks; the Python test repeats them with better messages.
  if res.hover and not (res.hover:find('8xb32', 1, true) and res.hover:find('GPUs', 1, true)) then
    problem('hover lacks the 8xb32 breakdown')
  end
  if not contains(res.completion_after_underscore, '8xb32') then
    problem('no 8xb32 in completion after _')
  end
  if not contains(res.completion_after_dash, 'coslr') then
    problem('no coslr in completion after -')
  end
  res.pass = #res.problems == 0
  finish(res)
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    -- Leave the autocmd first, so that FileType and the client start are done.
    vim.defer_fn(function()
      local ok, err = pcall(run)
      if not ok then
        finish({ pass = false, problems = { 'harness error: ' .. tostring(err) } })
      end
    end, 0)
  end,
})
