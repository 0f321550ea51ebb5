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
return {
  cmd = { 'mmname-lsp', '--stdio' },
  filetypes = { 'python' },
  root_markers = { 'pyproject.toml', 'setup.cfg', 'setup.py', '.git' },
  settings = {
    mmname = {
      enable = true,
      -- severity = { MMN101 = 'error', MMN102 = 'hint' },   -- per rule code, or 'off'
      -- extraTokens = { mytoken = 'what it means' },
      sources = { 'filename', 'base', 'base_import', 'checkpoint', 'model_api', 'literal' },
    },
  },
}
