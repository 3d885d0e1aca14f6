-- Drives Neovim's built-in LSP client against `leakhound server` and writes what it saw, step
-- by step, as JSON lines to $LEAKHOUND_OUT; the Rust test reads and checks them. Every wait is
-- bounded; any error ends Neovim with a non-zero status.
local bin = os.getenv("LEAKHOUND_BIN")
local file = os.getenv("LEAKHOUND_FILE")
local out = os.getenv("LEAKHOUND_OUT")
local lines_out = {}

local function record(step, extra)
  extra.step = step
  table.insert(lines_out, vim.fn.json_encode(extra))
  vim.fn.writefile(lines_out, out)
end

local function codes(buf)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    table.insert(found, { code = code, line = d.lnum + 1 })
  end
  table.sort(found, function(a, b) return a.line < b.line end)
  return found
end

local function wait_for(what, predicate)
  if not vim.wait(15000, predicate, 20) then
    error("timed out waiting for " .. what)
  end
end

local function has(buf, code)
  for _, d in ipairs(codes(buf)) do
    if d.code == code then return true end
  end
  return false
end

local function main()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = "leakhound",
    cmd = { bin, "server" },
    root_dir = vim.fn.fnamemodify(file, ":h"),
    init_options = { debounceMs = 10 },
    flags = { debounce_text_changes = 10 },
  })
  assert(client_id, "the client did not start")
  vim.lsp.buf_attach_client(buf, client_id)

  wait_for("the first diagnostics", function() return #codes(buf) > 0 end)
  record("open", { diagnostics = codes(buf) })

  -- The LH201 quick fix, asked for at the finding and applied by the client.
  local leak
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if (d.code or d.user_data.lsp.code) == "LH201" then leak = d end
  end
  local client = vim.lsp.get_client_by_id(client_id)
  vim.api.nvim_win_set_cursor(0, { leak.lnum + 1, leak.col })
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  params.context = { diagnostics = {}, only = { "quickfix" } }
  local responses = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 10000)
  assert(responses, "no code action response")
  local titles, chosen = {}, nil
  for _, response in pairs(responses) do
    for _, action in ipairs(response.result or {}) do
      table.insert(titles, action.title)
      if action.isPreferred then chosen = action end
    end
  end
  assert(chosen, "no preferred quick fix among: " .. table.concat(titles, " | "))
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  record("fixed", { titles = titles, text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n") })
  wait_for("LH201 to go", function() return not has(buf, "LH201") end)
  record("after-fix", { diagnostics = codes(buf) })

  -- A new leak typed at the end of the file, then taken out again.
  local count = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, count, count, false, {
    "",
    "func Each(fs []func()) {",
    "\tfor _, f := range fs {",
    "\t\tdefer f()",
    "\t}",
    "}",
  })
  wait_for("LH202 to appear", function() return has(buf, "LH202") end)
  record("added", { diagnostics = codes(buf), first_new_line = count + 1 })
  vim.api.nvim_buf_set_lines(buf, count, count + 6, false, {})
  wait_for("LH202 to go", function() return not has(buf, "LH202") end)
  record("removed", { diagnostics = codes(buf) })

  vim.lsp.stop_client(client_id)
  wait_for("the server to stop", function() return vim.lsp.get_client_by_id(client_id) == nil end)
  record("stopped", {})
end

local ok, err = pcall(main)
if not ok then
  record("error", { message = tostring(err) })
  vim.cmd("cquit 2")
end
vim.cmd("qall!")
