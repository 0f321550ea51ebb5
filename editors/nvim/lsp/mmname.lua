-- mmname-lsp for Neovim 0.11+ (vim.lsp.config / vim.lsp.enable).
--
-- Put this file on your 'runtimepath' as lsp/mmname.lua (for example
-- ~/.config/nvim/lsp/mmname.lua), then in init.lua:
--
--   vim.lsp.enable('mmname')
--
-- Override any field without editing this file:
--
--   vim.lsp.config('mmname', {
--     cmd = { '/path/to/venv/bin/mmname-lsp', '--stdio' },
--     settings = { mmname = { severity = { MMN102 = 'hint' } } },
--   })
--
-- The server reads its settings with workspace/configuration, section
-- "mmname"; Neovim answers that request from `settings` below. The keys are
-- the same as VS Code's `mmname.*` settings. Leave a map setting out rather
-- than writing `{}`: an empty Lua table is sent as a JSON list, so use
-- vim.empty_dict() if you need an explicitly empty map.
--
-- Besides Python files, the server reads OpenMMLab metafiles
-- (metafile.yml), model indexes (model-index.yml) and READMEs (their model
-- tables): it is attached to YAML and Markdown buffers of those names only.
local root_markers = { 'model-index.yml', 'pyproject.toml', 'setup.cfg', 'setup.py', '.git' }

local function understood(bufnr)
  if vim.bo[bufnr].filetype == 'python' then
    return true
  end
  local name = vim.fs.basename(vim.api.nvim_buf_get_name(bufnr)):lower()
  return name == 'metafile.yml' or name == 'metafile.yaml' or name == 'model-index.yml'
    or name == 'model-index.yaml' or (name:match('^readme') ~= nil and name:match('%.md$') ~= nil)
end

return {
  cmd = { 'mmname-lsp', '--stdio' },
  filetypes = { 'python', 'yaml', 'markdown' },
  root_markers = root_markers,
  -- Only the files above; the project root is found by the markers.
  root_dir = function(bufnr, on_dir)
    if understood(bufnr) then
      on_dir(vim.fs.root(bufnr, root_markers) or vim.fn.getcwd())
    end
  end,
  settings = {
    mmname = {
      enable = true,
      -- severity = { MMN101 = 'error', MMN102 = 'hint' },   -- per rule code, or 'off'
      -- extraTokens = { mytoken = 'what it means' },
      sources = { 'filename', 'base', 'base_import', 'checkpoint', 'model_api', 'literal' },
    },
  },
}
