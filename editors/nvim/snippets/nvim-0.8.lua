-- mmname-lsp for Neovim 0.8 to 0.10: vim.lsp.start() from a FileType autocmd.
-- Paste into init.lua, or load it from there: dofile('/path/to/nvim-0.8.lua').
-- (It also runs on 0.11+, where lsp/mmname.lua is the simpler choice.)
local mmname = {
  name = 'mmname',
  cmd = { 'mmname-lsp', '--stdio' },
  -- Same keys as VS Code's `mmname.*` settings (answered to workspace/configuration).
  -- Make sure the server gets the settings once it is up (0.11 and later
  -- send them by themselves, and also answer workspace/configuration).
  on_init = function(client)
    if vim.fn.has('nvim-0.11') == 0 then
      client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
    end
  end,
  settings = {
    mmname = {
      enable = true,
      -- severity = { MMN101 = 'error', MMN102 = 'hint' },
      -- extraTokens = { mytoken = 'what it means' },
      sources = { 'filename', 'base', 'base_import', 'checkpoint', 'model_api', 'literal' },
    },
  },
}

vim.api.nvim_create_autocmd('FileType', {
  pattern = 'python',
  group = vim.api.nvim_create_augroup('mmname_lsp', { clear = true }),
  callback = function(args)
    local markers = { 'pyproject.toml', 'setup.cfg', 'setup.py', '.git' }
    local found = vim.fs.find(markers, {
      upward = true,
      path = vim.fs.dirname(vim.api.nvim_buf_get_name(args.buf)),
    })[1]
    local config = vim.tbl_extend('force', mmname, {
      root_dir = found and vim.fs.dirname(found) or vim.fn.getcwd(),
    })
    -- vim.lsp.start reuses a running client with the same name and root_dir.
    vim.lsp.start(config, { bufnr = args.buf })
  end,
})
