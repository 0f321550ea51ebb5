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

-- Python buffers, and the metafiles, model indexes and READMEs (model
-- tables) the server also reads.
local function mmname_understood(bufnr)
  if vim.bo[bufnr].filetype == 'python' then
    return true
  end
  local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':t'):lower()
  return name == 'metafile.yml' or name == 'metafile.yaml' or name == 'model-index.yml'
    or name == 'model-index.yaml' or (name:match('^readme') ~= nil and name:match('%.md$') ~= nil)
end

vim.api.nvim_create_autocmd('FileType', {
  pattern = { 'python', 'yaml', 'markdown' },
  group = vim.api.nvim_create_augroup('mmname_lsp', { clear = true }),
  callback = function(args)
    if not mmname_understood(args.buf) then
      return
    end
    local markers = { 'model-index.yml', 'pyproject.toml', 'setup.cfg', 'setup.py', '.git' }
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
